import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import nock from 'nock';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCredentials, writeCredentials } from '../../harness/client/credentials-file.js';
import { runSession, type SessionEvent } from '../../harness/client/session.js';
import { BESIDE_ONLY_PROFILE } from '../../harness/scenario/options.js';
import { scratchDir } from '../helpers/cli.js';

/**
 * The client's state machine against scripted endpoint answers (nock), with a real store and
 * real proper-lockfile locks in a temp dir.
 */
const ENDPOINT = 'http://127.0.0.1:9';
let scratch: { dir: string; remove: () => Promise<void> };
let configDir: string;

beforeEach(async () => {
  scratch = await scratchDir();
  configDir = path.join(scratch.dir, 'config');
  await mkdir(configDir);
  nock.disableNetConnect();
});
afterEach(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await scratch.remove();
});

const tokens = (n: number) => ({ access_token: `at-${n}`, refresh_token: `rt-${n}`, expires_in: 60, token_type: 'Bearer' });

/** Runs a session until `stopAfter` is emitted (or two seconds pass) and returns its events. */
async function runUntil(stopAfter: SessionEvent['type'], profile = BESIDE_ONLY_PROFILE): Promise<SessionEvent[]> {
  const events: SessionEvent[] = [];
  const stop = new AbortController();
  await runSession({
    worker: 1,
    configDir,
    mountPoints: [],
    endpointUrl: ENDPOINT,
    deadlineEpochMs: Date.now() + 2_000,
    refreshMarginMs: 1_000,
    apiIntervalMs: 5,
    requestTimeoutMs: 1_000,
    seed: 1,
    profile,
    signal: stop.signal,
    emit: (event) => {
      events.push(event);
      if (event.type === stopAfter) stop.abort();
    },
  });
  return events;
}

const types = (events: SessionEvent[]) => events.map((event) => event.type);

describe('client session', () => {
  it('calls the API with a fresh token and never touches the lock', async () => {
    await writeCredentials(configDir, { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() + 60_000 });
    const api = nock(ENDPOINT).post('/v1/messages').matchHeader('authorization', 'Bearer at-0').reply(200, {});

    const events = await runUntil('api_ok');

    expect(types(events)).toEqual(['api_ok']);
    expect(api.isDone()).toBe(true);
  });

  it('refreshes an expiring token under the lock and stores the rotated pair', async () => {
    await writeCredentials(configDir, { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() + 500 });
    nock(ENDPOINT)
      .post('/v1/oauth/token', { grant_type: 'refresh_token', refresh_token: 'rt-0' })
      .reply(200, tokens(1));

    const events = await runUntil('lock_released');

    expect(types(events)).toEqual(['lock_acquiring', 'lock_acquired', 'refresh_start', 'refresh_ok', 'lock_released']);
    const stored = await readCredentials(configDir);
    expect(stored.status === 'ok' && stored.credentials.refreshToken).toBe('rt-1');
    const mode = (await import('node:fs')).statSync(path.join(configDir, '.credentials.json')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('adopts a token another process refreshed while it waited for the lock (race resolved)', async () => {
    await writeCredentials(configDir, { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() + 500 });
    const release = await lockfile.lock(configDir, { realpath: true });
    const token = nock(ENDPOINT).post('/v1/oauth/token').reply(200, tokens(9));

    setTimeout(async () => {
      await writeCredentials(configDir, { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: Date.now() + 60_000 });
      await release();
    }, 150);
    const events = await runUntil('lock_released');

    expect(types(events)).toContain('lock_retry');
    expect(types(events)).toContain('lock_race_resolved');
    expect(types(events)).not.toContain('refresh_start');
    expect(token.isDone()).toBe(false);
  });

  it('logs in again after invalid_grant and writes the new session to the store', async () => {
    await writeCredentials(configDir, { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() + 500 });
    nock(ENDPOINT).post('/v1/oauth/token').reply(400, { error: 'invalid_grant' });
    nock(ENDPOINT).post('/v1/oauth/login').reply(200, tokens(5));

    const events = await runUntil('relogin');

    expect(types(events)).toEqual(['lock_acquiring', 'lock_acquired', 'refresh_start', 'invalid_grant', 'relogin', 'lock_released']);
    const stored = JSON.parse(await readFile(path.join(configDir, '.credentials.json'), 'utf8'));
    expect(stored.claudeAiOauth.refreshToken).toBe('rt-5');
  });

  it('gives up after its retries when the lock stays held, without POSTing', async () => {
    await writeCredentials(configDir, { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() + 500 });
    const release = await lockfile.lock(configDir, { realpath: true });
    const token = nock(ENDPOINT).post('/v1/oauth/token').reply(200, tokens(1));
    try {
      const events = await runUntil('lock_retry_limit_reached', { ...BESIDE_ONLY_PROFILE, lockRetries: 3 });

      expect(types(events).filter((type) => type === 'lock_retry')).toHaveLength(3);
      expect(types(events).at(-1)).toBe('lock_retry_limit_reached');
      expect(token.isDone()).toBe(false);
    } finally {
      await release();
    }
  });

  it('without a re-read after locking, spends the token it read before and gets invalid_grant', async () => {
    await writeCredentials(configDir, { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() + 500 });
    const release = await lockfile.lock(configDir, { realpath: true });
    nock(ENDPOINT).post('/v1/oauth/token', { grant_type: 'refresh_token', refresh_token: 'rt-0' }).reply(400, { error: 'invalid_grant' });
    nock(ENDPOINT).post('/v1/oauth/login').reply(200, tokens(2));

    setTimeout(async () => {
      await writeCredentials(configDir, { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: Date.now() + 60_000 });
      await release();
    }, 150);
    const events = await runUntil('relogin', { ...BESIDE_ONLY_PROFILE, rereadAfterLock: false });

    expect(types(events)).toContain('invalid_grant');
    expect(types(events)).not.toContain('lock_race_resolved');
  });
});
