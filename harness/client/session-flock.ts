import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ClientKnobs } from './client-profile.js';

/**
 * The design note's external wrapper, `( flock -w 600 9 || exit 1; claude ... ) 9>"$lock_file"`,
 * with the real util-linux `flock(1)` and so real flock(2) semantics: the lock belongs to an open
 * file description, dies with the process that holds it, and is not a stale-by-mtime lock.
 *
 * `flock` holds the lock while its child (`cat`) waits on our pipe; ending the pipe, or this
 * process dying, lets both exit and the kernel drops the lock.
 */
export type SessionFlock =
  | { status: 'held'; lockFile: string; waitedMs: number; release: () => Promise<void> }
  | { status: 'timeout'; lockFile: string; waitedMs: number };

/** The lock file for a placement, as this container sees it. */
export function flockFileFor(
  placement: ClientKnobs['flock']['placement'],
  configDir: string,
  home: string,
): string | null {
  switch (placement) {
    case 'off':
      return null;
    case 'shared':
      return path.join(configDir, 'session.lock');
    case 'local':
      return path.join(home, '.tokenrace-session.lock');
    case 'home-claude':
      return path.join(home, '.claude', 'session.lock');
  }
}

export async function takeSessionFlock(lockFile: string, waitMs: number): Promise<SessionFlock> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  const started = performance.now();
  const waitSeconds = String(Math.max(waitMs / 1000, 0.001));
  // TODO(deps): flock(1) is util-linux, Linux only; the harness needs Linux for namespaces anyway.
  const child = spawn('flock', ['-w', waitSeconds, lockFile, '-c', 'echo held; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', () => undefined);

  const held = await new Promise<boolean>((resolve) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line === 'held'));
    child.once('close', () => resolve(false));
  });
  const waitedMs = Math.round((performance.now() - started) * 1000) / 1000;
  if (!held) return { status: 'timeout', lockFile, waitedMs };

  const release = async () => {
    child.stdin!.end();
    await exited;
  };
  return { status: 'held', lockFile, waitedMs, release };
}
