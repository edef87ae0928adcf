import fs from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { between, type Random } from '../random.js';

/**
 * The cross-process lock around a refresh, as Claude Code takes it: proper-lockfile's atomic
 * `mkdir` of `<config dir>.lock`. The lock is tried once per attempt (proper-lockfile's own
 * retries are off) so that every retry is visible as an event, the way the client's analytics
 * report `lock_retry`.
 */
export interface RefreshLockOptions {
  /** The directory being locked (the config dir). */
  target: string;
  /**
   * Resolve symlinks in the lock path, as proper-lockfile does by default. In `paths` isolation
   * a symlink stands in for a bind mount, and a process inside a real container could not see
   * through a mount, so there the harness passes the container's view instead (see
   * `mountPoints`).
   */
  realpath: boolean;
  /** Symlinks that stand in for mounts: never resolved, as a mount would not be. */
  mountPoints: readonly string[];
  staleMs: number;
  updateMs: number;
  retries: number;
  retryMinMs: number;
  retryMaxMs: number;
  random: Random;
  onRetry: (attempt: number, delayMs: number) => void;
  onCompromised: (error: Error) => void;
}

export type LockAttempt =
  | { status: 'acquired'; release: () => Promise<void>; lockLocation: string; attempts: number }
  | { status: 'retry_limit_reached'; attempts: number };

/** The lock dir path as a process inside the container resolves it. */
export async function resolveLockPath(options: Pick<RefreshLockOptions, 'target' | 'realpath' | 'mountPoints'>): Promise<string> {
  if (!options.realpath) return path.resolve(options.target) + '.lock';

  return (await resolveThroughContainerView(options.target, options.mountPoints)) + '.lock';
}

async function resolveThroughContainerView(target: string, mountPoints: readonly string[]): Promise<string> {
  const absolute = path.resolve(target);
  for (const mountPoint of mountPoints) {
    const relative = path.relative(mountPoint, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) continue;

    // Resolve only above the mount point: the mount itself is opaque from inside.
    const parent = await realpath(path.dirname(mountPoint));
    return path.join(parent, path.basename(mountPoint), relative);
  }
  return realpath(absolute);
}

export async function acquireRefreshLock(options: RefreshLockOptions): Promise<LockAttempt> {
  const lockfilePath = await resolveLockPath(options);

  for (let attempt = 0; ; attempt += 1) {
    const tried = await tryLock(options.target, lockfilePath, options);
    if (tried.status === 'acquired') {
      return { status: 'acquired', release: tried.release, lockLocation: tried.lockLocation, attempts: attempt + 1 };
    }
    if (attempt >= options.retries) return { status: 'retry_limit_reached', attempts: attempt + 1 };

    const delayMs = Math.round(between(options.random, options.retryMinMs, options.retryMaxMs));
    options.onRetry(attempt + 1, delayMs);
    await sleep(delayMs);
  }
}

export type TryLockResult =
  | { status: 'acquired'; release: () => Promise<void>; lockLocation: string }
  | { status: 'locked' };

export interface TryLockOptions {
  staleMs: number;
  updateMs: number;
  onCompromised: (error: Error) => void;
  /**
   * Make proper-lockfile stamp the lock's mtime itself on every acquisition (with the process's
   * `Date.now`) instead of only on its first: a fresh `fs` object has no cached mtime precision,
   * so the library probes it with `utimes`. Used for a clock-offset container, whose lock mtimes
   * must carry its own notion of now, as a host with a skewed clock would write them.
   */
  stampMtime?: boolean;
}

/** One attempt at one lock dir; ELOCKED is an answer, anything else is thrown. */
export async function tryLock(target: string, lockfilePath: string, options: TryLockOptions): Promise<TryLockResult> {
  try {
    const release = await lockfile.lock(target, {
      realpath: false,
      lockfilePath,
      stale: options.staleMs,
      update: options.updateMs,
      retries: 0,
      onCompromised: options.onCompromised,
      ...(options.stampMtime ? { fs: Object.create(fs) as typeof fs } : {}),
    });
    return { status: 'acquired', release, lockLocation: await describeLocation(lockfilePath) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    return { status: 'locked' };
  }
}

/**
 * The lock's place as the kernel knows it: device and inode of the directory holding the lock
 * dir, plus its name. Two containers that print the same lock *path* can still be locking in two
 * different directories (the legacy layout's bug); this string tells them apart.
 */
export async function describeLocation(lockfilePath: string): Promise<string> {
  const parent = await stat(path.dirname(lockfilePath));
  return `${parent.dev}:${parent.ino}/${path.basename(lockfilePath)}`;
}
