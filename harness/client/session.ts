import { setTimeout as sleep } from 'node:timers/promises';
import { fingerprint } from '../fingerprint.js';
import type { ClientEvent } from '../journal/events.js';
import { createRandom, type Random } from '../random.js';
import { readCredentials, writeCredentials, type Credentials } from './credentials-file.js';
import { acquireRefreshLock, resolveLockPath } from './refresh-lock.js';
import { TokenClient, type RefreshOutcome } from './token-client.js';

/**
 * The built-in client model: one container's session, shaped like Claude Code's refresh path as
 * the design note describes it (profile `beside-only`).
 *
 *   loop until the deadline:
 *     read the store → token fresh? call the API : refresh
 *   refresh:
 *     lock <config dir>.lock → re-read the store → someone refreshed already? adopt it
 *     (race resolved) : POST the refresh token → write the new pair atomically → unlock
 *     invalid_grant → a person would have to log in again: log in, write, go on
 */

/** What a client emits, before the worker adds the clock reading, layout and worker id. */
export type SessionEvent = DistributiveOmit<ClientEvent, 't' | 'layout' | 'worker'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface SessionProfile {
  name: string;
  /** proper-lockfile `realpath` for the lock beside the config dir. */
  realpath: boolean;
  staleMs: number;
  updateMs: number;
  lockRetries: number;
  lockRetryMinMs: number;
  lockRetryMaxMs: number;
  /** Re-read the store once the lock is held, and adopt a token another process refreshed. */
  rereadAfterLock: boolean;
}

export interface SessionOptions {
  worker: number;
  configDir: string;
  mountPoints: readonly string[];
  endpointUrl: string;
  deadlineEpochMs: number;
  refreshMarginMs: number;
  apiIntervalMs: number;
  requestTimeoutMs: number;
  seed: number;
  profile: SessionProfile;
  emit: (event: SessionEvent) => void;
  signal: AbortSignal;
  /** Epoch-milliseconds clock; injectable for tests. */
  now?: () => number;
}

export async function runSession(options: SessionOptions): Promise<'deadline' | 'stopped'> {
  const session = new Session(options);
  try {
    return await session.run();
  } finally {
    await session.close();
  }
}

class Session {
  readonly #options: SessionOptions;
  readonly #client: TokenClient;
  readonly #random: Random;
  readonly #now: () => number;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    // Each worker draws its own jitter, repeatable for a seed.
    this.#random = createRandom(options.seed * 1000 + options.worker);
    this.#client = new TokenClient({
      baseUrl: options.endpointUrl,
      worker: options.worker,
      requestTimeoutMs: options.requestTimeoutMs,
      now: this.#now,
    });
  }

  async run(): Promise<'deadline' | 'stopped'> {
    while (this.#now() < this.#options.deadlineEpochMs) {
      if (this.#options.signal.aborted) return 'stopped';

      await this.#step();
    }
    return 'deadline';
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  async #step(): Promise<void> {
    const stored = await readCredentials(this.#options.configDir);
    if (stored.status !== 'ok') {
      // Nothing usable in the store: what a person does next is log in.
      await this.#relogin();
      return;
    }

    if (this.#needsRefresh(stored.credentials)) {
      const failed = await this.#refreshUnderLock(stored.credentials);
      // TODO(client): a real client's reaction to 429/5xx (Retry-After, backoff) belongs to the
      // client profiles; until then one API interval, outside the lock, keeps this from spinning.
      if (failed) await sleep(this.#options.apiIntervalMs);
      return;
    }

    await this.#callApi(stored.credentials);
    await sleep(this.#options.apiIntervalMs);
  }

  #needsRefresh(credentials: Credentials): boolean {
    return this.#now() + this.#options.refreshMarginMs >= credentials.expiresAt;
  }

  async #callApi(credentials: Credentials): Promise<void> {
    const started = performance.now();
    const accepted = await this.#client.callApi(credentials.accessToken);
    if (accepted) {
      this.#options.emit({ type: 'api_ok', latencyMs: elapsed(started) });
    } else {
      this.#options.emit({ type: 'api_unauthorized', presented: fingerprint(credentials.accessToken) });
    }
  }

  /** True when the refresh ended in an error (no answer, 429, 5xx): the caller pauses. */
  async #refreshUnderLock(planned: Credentials): Promise<boolean> {
    const { profile, configDir, mountPoints, emit } = this.#options;
    const lockPath = await resolveLockPath({ target: configDir, realpath: profile.realpath, mountPoints });
    const waitStarted = performance.now();
    emit({ type: 'lock_acquiring', lockPath });

    const lock = await acquireRefreshLock({
      target: configDir,
      realpath: profile.realpath,
      mountPoints,
      staleMs: profile.staleMs,
      updateMs: profile.updateMs,
      retries: profile.lockRetries,
      retryMinMs: profile.lockRetryMinMs,
      retryMaxMs: profile.lockRetryMaxMs,
      random: this.#random,
      onRetry: (attempt, delayMs) => emit({ type: 'lock_retry', lockPath, attempt, delayMs }),
      onCompromised: (error) => emit({ type: 'lock_compromised', lockPath, error: error.message }),
    });

    if (lock.status === 'retry_limit_reached') {
      // The real client gives up on this refresh and carries on with the token it has.
      emit({ type: 'lock_retry_limit_reached', lockPath, attempts: lock.attempts });
      return false;
    }

    const { lockLocation } = lock;
    const heldSince = performance.now();
    emit({ type: 'lock_acquired', lockPath, lockLocation, waitedMs: elapsed(waitStarted) });
    try {
      return await this.#refreshHoldingLock(planned);
    } finally {
      await lock.release().catch(() => undefined);
      emit({ type: 'lock_released', lockPath, lockLocation, heldMs: elapsed(heldSince) });
    }
  }

  async #refreshHoldingLock(planned: Credentials): Promise<boolean> {
    let current = planned;
    if (this.#options.profile.rereadAfterLock) {
      const stored = await readCredentials(this.#options.configDir);
      if (stored.status === 'ok') current = stored.credentials;
      if (current.refreshToken !== planned.refreshToken && !this.#needsRefresh(current)) {
        this.#options.emit({
          type: 'lock_race_resolved',
          planned: fingerprint(planned.refreshToken),
          adopted: fingerprint(current.refreshToken),
        });
        return false;
      }
    }

    const presented = fingerprint(current.refreshToken);
    this.#options.emit({ type: 'refresh_start', presented });
    const started = performance.now();
    const outcome = await this.#client.refresh(current.refreshToken);
    await this.#settleRefresh(outcome, presented, elapsed(started));
    return outcome.status === 'error';
  }

  async #settleRefresh(outcome: RefreshOutcome, presented: string, latencyMs: number): Promise<void> {
    const { emit, configDir } = this.#options;
    if (outcome.status === 'ok') {
      await writeCredentials(configDir, outcome.credentials);
      emit({ type: 'refresh_ok', presented, issued: fingerprint(outcome.credentials.refreshToken), latencyMs });
      return;
    }
    if (outcome.status === 'invalid_grant') {
      emit({ type: 'invalid_grant', presented, latencyMs });
      await this.#relogin();
      return;
    }
    emit({ type: 'refresh_error', presented, status: outcome.httpStatus, error: outcome.error });
  }

  /** The session is dead; the harness stands in for the person who would log in again. */
  async #relogin(): Promise<void> {
    const outcome = await this.#client.login();
    if (outcome.status !== 'ok') {
      this.#options.emit({ type: 'refresh_error', presented: '', status: outcome.status === 'error' ? outcome.httpStatus : null, error: 'login failed' });
      await sleep(this.#options.apiIntervalMs);
      return;
    }
    await writeCredentials(this.#options.configDir, outcome.credentials);
    this.#options.emit({ type: 'relogin', issued: fingerprint(outcome.credentials.refreshToken) });
  }
}

function elapsed(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 1000) / 1000;
}
