import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fingerprint } from '../fingerprint.js';
import { busyWait, FaultPlan } from '../fleet/worker-fault-plan.js';
import type { ClientEvent } from '../journal/events.js';
import { createRandom, type Random } from '../random.js';
import type { ClientKnobs } from './client-profile.js';
import {
  readCredentials,
  wipeCredentials,
  writeCredentials,
  writeCredentialsInPlace,
  type Credentials,
} from './credentials-file.js';
import { acquireLockSet, lockPathsFor, releaseAll, type HeldLock } from './lock-set.js';
import { flockFileFor, takeSessionFlock } from './session-flock.js';
import { TokenClient, type RefreshOutcome } from './token-client.js';

/**
 * The built-in client model: one container's session, shaped by its knobs (client-profile.ts).
 *
 *   loop until the deadline (in invocations of a few steps under flock(1), when wrapped):
 *     current credentials (the store, or memory) → fresh? call the API : refresh
 *   refresh:
 *     take the profile's locks → re-read → someone refreshed already? adopt it (race resolved)
 *     : POST the refresh token → write the new pair (atomic or in place) → unlock
 *     invalid_grant → relogin | logout | wipe the store and log out | re-read and adopt
 */

/** What a client emits, before the worker adds the clock reading, layout and worker id. */
export type SessionEvent = DistributiveOmit<ClientEvent, 't' | 'layout' | 'worker'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Kept for callers that name the client by its old type: a profile is a set of knobs. */
export type SessionProfile = ClientKnobs;

export type SessionEndReason = 'deadline' | 'stopped' | 'logged_out';

export interface SessionOptions {
  worker: number;
  configDir: string;
  home?: string;
  mountPoints: readonly string[];
  endpointUrl: string;
  deadlineEpochMs: number;
  refreshMarginMs: number;
  apiIntervalMs: number;
  requestTimeoutMs: number;
  seed: number;
  profile: ClientKnobs;
  emit: (event: SessionEvent) => void;
  signal: AbortSignal;
  /** Worker faults due in this process; none when absent. */
  faults?: FaultPlan;
  /** Lets emitted events reach the coordinator before a SIGKILL fault. */
  flush?: () => Promise<void>;
  /** Stamp lock mtimes with this process's clock (a clock-offset container). */
  stampLockMtime?: boolean;
  /** Epoch-milliseconds clock; injectable for tests. */
  now?: () => number;
}

export async function runSession(options: SessionOptions): Promise<SessionEndReason> {
  const session = new Session(options);
  try {
    return await session.run();
  } finally {
    await session.close();
  }
}

class Session {
  readonly #options: SessionOptions;
  readonly #knobs: ClientKnobs;
  readonly #client: TokenClient;
  readonly #random: Random;
  readonly #now: () => number;
  readonly #faults: FaultPlan;
  /** The credentials in memory, for `tokenRead: once`; null means "read the store". */
  #remembered: Credentials | null = null;
  #loggedOut = false;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#knobs = options.profile;
    this.#now = options.now ?? Date.now;
    this.#faults = options.faults ?? new FaultPlan([], null);
    // Each worker draws its own jitter, repeatable for a seed.
    this.#random = createRandom(options.seed * 1000 + options.worker);
    this.#client = new TokenClient({
      baseUrl: options.endpointUrl,
      worker: options.worker,
      requestTimeoutMs: this.#knobs.requestTimeoutMs ?? options.requestTimeoutMs,
      now: this.#now,
    });
  }

  async run(): Promise<SessionEndReason> {
    const lockFile = flockFileFor(this.#knobs.flock.placement, this.#options.configDir, this.#options.home ?? '');
    while (this.#now() < this.#options.deadlineEpochMs) {
      if (this.#options.signal.aborted) return 'stopped';
      if (this.#loggedOut) return 'logged_out';

      if (lockFile) await this.#invocation(lockFile);
      else await this.#step();
    }
    return this.#loggedOut ? 'logged_out' : 'deadline';
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  /** One wrapped client invocation: flock(1) around a few steps, as the design note's script. */
  async #invocation(lockFile: string): Promise<void> {
    const { emit } = this.#options;
    const flock = await takeSessionFlock(lockFile, this.#knobs.flock.waitMs);
    if (flock.status === 'timeout') {
      emit({ type: 'flock_timeout', lockFile, waitedMs: flock.waitedMs });
      return;
    }

    emit({ type: 'flock_acquired', lockFile, waitedMs: flock.waitedMs });
    const heldSince = performance.now();
    try {
      for (let step = 0; step < this.#knobs.flock.stepsPerInvocation; step += 1) {
        if (this.#now() >= this.#options.deadlineEpochMs || this.#options.signal.aborted) break;
        if (this.#loggedOut) break;
        await this.#step();
      }
    } finally {
      await flock.release();
      emit({ type: 'flock_released', lockFile, heldMs: elapsed(heldSince) });
    }
  }

  async #step(): Promise<void> {
    const current = await this.#currentCredentials();
    if (!current) {
      // Nothing usable in the store: what a person does next is log in.
      await this.#relogin();
      return;
    }

    if (this.#needsRefresh(current)) {
      const failed = await this.#refreshUnderLock(current);
      // TODO(client): a real client's reaction to 429/5xx (Retry-After, backoff) belongs to the
      // client profiles; until then one API interval, outside the lock, keeps this from spinning.
      if (failed) await sleep(this.#options.apiIntervalMs);
      return;
    }

    await this.#callApi(current);
    await sleep(this.#options.apiIntervalMs);
  }

  async #currentCredentials(): Promise<Credentials | null> {
    if (this.#knobs.tokenRead === 'once' && this.#remembered) return this.#remembered;

    const stored = await this.#readStore();
    this.#remembered = stored;
    return stored;
  }

  async #readStore(): Promise<Credentials | null> {
    const stored = await readCredentials(this.#options.configDir);
    if (stored.status === 'unparseable') this.#options.emit({ type: 'credentials_torn', detail: stored.detail });
    return stored.status === 'ok' ? stored.credentials : null;
  }

  #needsRefresh(credentials: Credentials): boolean {
    const marginMs = this.#knobs.refreshMarginMs ?? this.#options.refreshMarginMs;
    return this.#now() + marginMs >= credentials.expiresAt;
  }

  async #callApi(credentials: Credentials): Promise<void> {
    const started = performance.now();
    const outcome = await this.#client.callApi(credentials.accessToken);
    if (outcome.status === 'ok') {
      this.#options.emit({ type: 'api_ok', latencyMs: elapsed(started) });
      return;
    }
    if (outcome.status === 'error') {
      this.#options.emit({ type: 'api_error', status: outcome.httpStatus, error: outcome.error });
      return;
    }

    this.#options.emit({ type: 'api_unauthorized', presented: fingerprint(credentials.accessToken) });
    if (this.#knobs.on401 === 'refresh') await this.#refreshUnderLock(credentials);
    else this.#remembered = null;
  }

  /** True when the refresh ended in an error (no answer, 429, 5xx): the caller pauses. */
  async #refreshUnderLock(planned: Credentials): Promise<boolean> {
    const { configDir, mountPoints, emit } = this.#options;
    const lockPaths = await lockPathsFor(this.#knobs, configDir, mountPoints);
    const waitStarted = performance.now();
    if (lockPaths[0]) emit({ type: 'lock_acquiring', lockPath: lockPaths[0], planned: fingerprint(planned.refreshToken) });

    const lock = await acquireLockSet({
      configDir,
      mountPoints,
      knobs: this.#knobs,
      random: this.#random,
      stampMtime: this.#options.stampLockMtime ?? false,
      onRetry: (attempt, delayMs) => emit({ type: 'lock_retry', lockPath: lockPaths[0] ?? '', attempt, delayMs }),
      onCompromised: (lockPath, error) => emit({ type: 'lock_compromised', lockPath, error: error.message }),
    });

    if (lock.status === 'retry_limit_reached') {
      // The real client gives up on this refresh and carries on with the token it has.
      emit({ type: 'lock_retry_limit_reached', lockPath: lockPaths[0] ?? '', attempts: lock.attempts });
      return false;
    }

    const heldSince = performance.now();
    for (const held of lock.held) {
      const { lockPath, lockLocation } = held;
      emit({ type: 'lock_acquired', lockPath, lockLocation, waitedMs: elapsed(waitStarted) });
    }
    try {
      await this.#faultsWhileHolding(lock.held);
      return await this.#refreshHoldingLock(planned, lock.held[0]?.lockPath);
    } finally {
      // Said before the lock dirs go: a process that takes a lock the moment it is free must
      // never appear, on the shared clock, to take it before its holder let go.
      for (const { lockPath, lockLocation } of lock.held) {
        emit({ type: 'lock_released', lockPath, lockLocation, heldMs: elapsed(heldSince) });
      }
      await releaseAll(lock.held);
    }
  }

  async #faultsWhileHolding(held: readonly HeldLock[]): Promise<void> {
    const lockPath = held[0]?.lockPath;
    if (!lockPath) return;

    if (this.#faults.take('kill-holding-lock')) await this.#killSelf('kill-holding-lock', lockPath);
    const remove = this.#faults.take('remove-lock-while-held');
    if (remove) {
      const removeNow = async () => {
        this.#options.emit({ type: 'worker_fault', kind: remove.kind, lockPath });
        await rm(lockPath, { recursive: true, force: true });
      };
      if (remove.afterMs === 0) await removeNow();
      else setTimeout(() => void removeNow(), remove.afterMs).unref();
    }
  }

  async #killSelf(kind: string, lockPath?: string): Promise<never> {
    this.#options.emit({ type: 'worker_fault', kind, ...(lockPath ? { lockPath } : {}) });
    await this.#options.flush?.();
    process.kill(process.pid, 'SIGKILL');
    // SIGKILL is not deliverable late; this only satisfies the type checker.
    return new Promise<never>(() => undefined);
  }

  async #refreshHoldingLock(planned: Credentials, lockPath: string | undefined): Promise<boolean> {
    let current = planned;
    if (this.#knobs.rereadAfterLock) {
      current = (await this.#readStore()) ?? planned;
      this.#remembered = current;
      if (current.refreshToken !== planned.refreshToken && !this.#needsRefresh(current)) {
        this.#options.emit({
          type: 'lock_race_resolved',
          planned: fingerprint(planned.refreshToken),
          adopted: fingerprint(current.refreshToken),
        });
        return false;
      }
    }

    // The stall sits between the re-read and the POST: a holder that wakes up after its lock was
    // taken as stale still spends the token it read before (the double POST of a steal).
    const stall = lockPath ? this.#faults.take('stall-holding-lock') : null;
    if (stall) {
      this.#options.emit({ type: 'worker_fault', kind: stall.kind, lockPath, stallMs: stall.stallMs });
      await this.#options.flush?.();
      busyWait(stall.stallMs);
    }

    const presented = fingerprint(current.refreshToken);
    this.#options.emit({ type: 'refresh_start', presented });
    const started = performance.now();
    const outcome = await this.#client.refresh(current.refreshToken);
    await this.#settleRefresh(outcome, current, elapsed(started));
    return outcome.status === 'error';
  }

  async #settleRefresh(outcome: RefreshOutcome, spent: Credentials, latencyMs: number): Promise<void> {
    const { emit } = this.#options;
    const presented = fingerprint(spent.refreshToken);
    if (outcome.status === 'ok') {
      if (this.#faults.take('kill-before-write')) await this.#killSelf('kill-before-write');
      await this.#store(outcome.credentials);
      emit({ type: 'refresh_ok', presented, issued: fingerprint(outcome.credentials.refreshToken), latencyMs });
      return;
    }
    if (outcome.status === 'invalid_grant') {
      emit({ type: 'invalid_grant', presented, latencyMs });
      await this.#onInvalidGrant(spent);
      return;
    }
    emit({ type: 'refresh_error', presented, status: outcome.httpStatus, error: outcome.error });
  }

  async #onInvalidGrant(dead: Credentials): Promise<void> {
    const { emit, configDir } = this.#options;
    const reaction = this.#knobs.onInvalidGrant;
    if (reaction === 'relogin') {
      await this.#relogin();
      return;
    }
    if (reaction === 'reread-and-adopt') {
      const stored = await this.#readStore();
      if (stored && stored.refreshToken !== dead.refreshToken) {
        this.#remembered = stored;
        const adopted = fingerprint(stored.refreshToken);
        emit({ type: 'token_adopted', dead: fingerprint(dead.refreshToken), adopted });
        return;
      }
      await this.#relogin();
      return;
    }
    if (reaction === 'wipe-store') {
      // As observed: the tokens are cleared only if the store still holds the dead one.
      const stored = await this.#readStore();
      if (stored?.refreshToken === dead.refreshToken) {
        await wipeCredentials(configDir);
        emit({ type: 'store_wiped', dead: fingerprint(dead.refreshToken) });
      }
    }
    this.#remembered = null;
    this.#loggedOut = true;
  }

  async #store(credentials: Credentials): Promise<void> {
    this.#remembered = credentials;
    if (this.#knobs.writeMode === 'in-place') {
      await writeCredentialsInPlace(this.#options.configDir, credentials, this.#knobs.inPlaceGapMs);
    } else {
      await writeCredentials(this.#options.configDir, credentials);
    }
  }

  /** The session is dead; the harness stands in for the person who would log in again. */
  async #relogin(): Promise<void> {
    const outcome = await this.#client.login();
    if (outcome.status !== 'ok') {
      const status = outcome.status === 'error' ? outcome.httpStatus : null;
      this.#options.emit({ type: 'refresh_error', presented: '', status, error: 'login failed' });
      await sleep(this.#options.apiIntervalMs);
      return;
    }
    await this.#store(outcome.credentials);
    this.#options.emit({ type: 'relogin', issued: fingerprint(outcome.credentials.refreshToken) });
  }
}

function elapsed(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 1000) / 1000;
}
