import { mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveClientSettings } from '../../harness/client/client-profile.js';
import { acquireLockSet, lockPathsFor, releaseAll } from '../../harness/client/lock-set.js';
import { tryLock } from '../../harness/client/refresh-lock.js';
import { takeSessionFlock } from '../../harness/client/session-flock.js';
import { createRandom } from '../../harness/random.js';

let scratch: string;
let configDir: string;
let linked: string;
beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'tokenrace-lockset-'));
  configDir = path.join(scratch, 'store', 'config');
  await mkdir(configDir, { recursive: true });
  linked = path.join(scratch, 'dot-claude');
  await symlink(configDir, linked);
});
afterEach(() => rm(scratch, { recursive: true, force: true }));

const noop = () => undefined;

describe('lock placement', () => {
  it('spells the lock paths each placement takes, with and without realpath', async () => {
    const knobs = (given: object) => resolveClientSettings(given);

    expect(await lockPathsFor(knobs({}), linked, [])).toEqual([configDir + '.lock']);
    expect(await lockPathsFor(knobs({ realpath: false }), linked, [])).toEqual([linked + '.lock']);
    expect(await lockPathsFor(knobs({ lockPlacement: 'inside' }), linked, [])).toEqual([path.join(linked, '.oauth_refresh.lock')]);
    expect(await lockPathsFor(knobs({ lockPlacement: 'inside', insideRealpath: true }), linked, [])).toEqual([path.join(configDir, '.oauth_refresh.lock')]);
    expect(await lockPathsFor(knobs({ lockPlacement: 'both' }), linked, [])).toHaveLength(2);
    expect(await lockPathsFor(knobs({ lockPlacement: 'none' }), linked, [])).toEqual([]);
  });

  it('both: a held beside lock makes it let go of the inside one and count as locked', async () => {
    const knobs = resolveClientSettings({ lockPlacement: 'both', lockRetries: 2, lockRetryMinMs: 5, lockRetryMaxMs: 40 });
    const other = await tryLock(configDir + '.lock', configDir + '.lock', { staleMs: 10_000, updateMs: 5000, onCompromised: noop });
    expect(other.status).toBe('acquired');

    const delays: number[] = [];
    const result = await acquireLockSet({
      configDir,
      mountPoints: [],
      knobs,
      random: createRandom(3),
      stampMtime: false,
      onRetry: (_attempt, delayMs) => delays.push(delayMs),
      onCompromised: noop,
    });

    expect(result).toEqual({ status: 'retry_limit_reached', attempts: 3 });
    // The inside lock is free again: the failed attempt did not keep it.
    await expect(stat(path.join(configDir, '.oauth_refresh.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    // Jitter stays in its range and varies.
    expect(delays.every((delay) => delay >= 5 && delay <= 40)).toBe(true);
    expect(new Set(delays).size).toBe(2);
    if (other.status === 'acquired') await other.release();

    const taken = await acquireLockSet({ configDir, mountPoints: [], knobs, random: createRandom(3), stampMtime: false, onRetry: noop, onCompromised: noop });
    expect(taken.status === 'acquired' && taken.held.length).toBe(2);
    if (taken.status === 'acquired') await releaseAll(taken.held);
  });

  it('stamps the lock mtime with the process clock when asked (a clock-offset container)', async () => {
    const trueNow = Date.now;
    const aheadMs = 60_000;
    Date.now = () => trueNow() + aheadMs;
    try {
      const lockPath = configDir + '.lock';
      const held = await tryLock(lockPath, lockPath, { staleMs: 10_000, updateMs: 5000, onCompromised: noop, stampMtime: true });
      const { mtimeMs } = await stat(lockPath);
      expect(mtimeMs - trueNow()).toBeGreaterThan(aheadMs - 2000);
      if (held.status === 'acquired') await held.release();
    } finally {
      Date.now = trueNow;
    }
  });
});

describe('session flock', () => {
  it('holds a real flock(2): a second taker waits out its -w, then gets it once released', async () => {
    const lockFile = path.join(scratch, 'session.lock');
    const first = await takeSessionFlock(lockFile, 1000);
    expect(first.status).toBe('held');

    const second = await takeSessionFlock(lockFile, 200);
    expect(second.status).toBe('timeout');
    expect(second.waitedMs).toBeGreaterThanOrEqual(150);

    if (first.status === 'held') await first.release();
    const third = await takeSessionFlock(lockFile, 1000);
    expect(third.status).toBe('held');
    if (third.status === 'held') await third.release();
  });
});
