import path from 'node:path';
import { realpath } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { between, type Random } from '../random.js';
import type { ClientKnobs } from './client-profile.js';
import { resolveLockPath, tryLock } from './refresh-lock.js';

/**
 * The locks a profile takes around a refresh, by placement:
 *
 *   beside  `<config dir>.lock` (realpath'd when the profile says so): the design note's lock.
 *   inside  `<config dir>/.oauth_refresh.lock`: Claude Code 2.1.197's primary lock.
 *   both    inside, then beside. When the beside lock is held by someone else, the inside one is
 *           let go and the attempt counts as locked; any other error on the beside lock is
 *           ignored, as the observed client does.
 *   none    nothing.
 *
 * Each attempt tries once, then sleeps a jittered delay, so every retry is an event.
 */
export const INSIDE_LOCK_NAME = '.oauth_refresh.lock';

export interface HeldLock {
  lockPath: string;
  lockLocation: string;
  release: () => Promise<void>;
}

export type LockSetResult =
  | { status: 'acquired'; held: HeldLock[]; attempts: number }
  | { status: 'retry_limit_reached'; attempts: number };

export interface LockSetOptions {
  configDir: string;
  mountPoints: readonly string[];
  knobs: ClientKnobs;
  random: Random;
  stampMtime: boolean;
  onRetry: (attempt: number, delayMs: number) => void;
  onCompromised: (lockPath: string, error: Error) => void;
}

/** The lock dir paths, in the order they are taken, as this container spells them. */
export async function lockPathsFor(
  knobs: Pick<ClientKnobs, 'lockPlacement' | 'realpath' | 'insideRealpath'>,
  configDir: string,
  mountPoints: readonly string[],
): Promise<string[]> {
  const beside = () => resolveLockPath({ target: configDir, realpath: knobs.realpath, mountPoints });
  const inside = async () => {
    const dir = knobs.insideRealpath ? await realpath(configDir) : path.resolve(configDir);
    return path.join(dir, INSIDE_LOCK_NAME);
  };
  switch (knobs.lockPlacement) {
    case 'none':
      return [];
    case 'beside':
      return [await beside()];
    case 'inside':
      return [await inside()];
    case 'both':
      return [await inside(), await beside()];
  }
}

export async function acquireLockSet(options: LockSetOptions): Promise<LockSetResult> {
  const { knobs } = options;
  const paths = await lockPathsFor(knobs, options.configDir, options.mountPoints);
  if (paths.length === 0) return { status: 'acquired', held: [], attempts: 0 };

  for (let attempt = 0; ; attempt += 1) {
    const held = await tryAll(paths, options);
    if (held) return { status: 'acquired', held, attempts: attempt + 1 };
    if (attempt >= knobs.lockRetries) return { status: 'retry_limit_reached', attempts: attempt + 1 };

    const delayMs = Math.round(between(options.random, knobs.lockRetryMinMs, knobs.lockRetryMaxMs));
    options.onRetry(attempt + 1, delayMs);
    await sleep(delayMs);
  }
}

/** All locks of the set, or none of them (null) when one is held elsewhere. */
async function tryAll(paths: readonly string[], options: LockSetOptions): Promise<HeldLock[] | null> {
  const held: HeldLock[] = [];
  for (const [index, lockPath] of paths.entries()) {
    const secondary = index > 0;
    let result;
    try {
      // Keyed by the lock path: proper-lockfile keeps one lock per target, and both locks of a
      // set guard the same config dir.
      result = await tryLock(lockPath, lockPath, {
        staleMs: options.knobs.staleMs,
        updateMs: options.knobs.updateMs,
        stampMtime: options.stampMtime,
        onCompromised: (error) => options.onCompromised(lockPath, error),
      });
    } catch (error) {
      // The observed client ignores errors other than "locked" on its second lock.
      if (secondary) continue;
      throw error;
    }
    if (result.status === 'locked') {
      await releaseAll(held);
      return null;
    }
    held.push({ lockPath, lockLocation: result.lockLocation, release: result.release });
  }
  return held;
}

export async function releaseAll(held: readonly HeldLock[]): Promise<void> {
  for (const lock of [...held].reverse()) await lock.release().catch(() => undefined);
}
