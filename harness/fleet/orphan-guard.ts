import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { SCRATCH_DIR_VARIABLE } from '../safety/run-marker.js';

/**
 * What a worker process does when its coordinator is gone. Loaded with `--import` as the
 * worker process starts (before tinypool hands it a task), so a coordinator killed at any
 * moment of a run, even while its workers are still starting, leaves nothing behind:
 *
 *   coordinator SIGKILLed → IPC channel closes → 'disconnect' here → clients get SIGKILL → the
 *   run's temp dir, named in TOKENRACE_SCRATCH_DIR, is removed → exit.
 *
 * Never import this module from the coordinator: it installs signal handlers that exit.
 * Several workers may remove the same dir at once; `rm --force` makes that harmless.
 */

/** The clients this worker started and that are still alive. */
export const runningClients = new Set<ChildProcess>();

/** How long an orphaned worker waits for its killed clients to be reaped before removing. */
const ORPHAN_CLIENT_WAIT_MS = 300;
let orphaned = false;

/** True once the coordinator is gone: task results have nowhere to go (tinypool would throw). */
export function isOrphaned(): boolean {
  return orphaned;
}

function stopClients(signal: NodeJS.Signals): void {
  for (const child of runningClients) child.kill(signal);
}

// A terminal's Ctrl-C reaches every process of the foreground group, workers included. The
// coordinator turns it into an orderly stop (stop message, report); a worker dying on it would
// look like a crash and cut the report short.
process.on('SIGINT', () => undefined);

// Tinypool ends workers with SIGTERM; their clients go with them.
process.on('SIGTERM', () => {
  stopClients('SIGTERM');
  process.exit(0);
});

function onCoordinatorGone(): void {
  if (orphaned) return;
  orphaned = true;
  // Nobody will read what a client writes from now on, and the 2 s budget (issue 6) is shared
  // with a machine that may be busy: no grace, SIGKILL at once.
  stopClients('SIGKILL');
  void removeOrphanedScratch().finally(() => process.exit(0));
}

process.on('disconnect', onCoordinatorGone);
// Killed while this process was still starting: the channel closed before anyone listened.
if (process.send !== undefined && !process.connected) onCoordinatorGone();

/** Only a directory the harness made (tokenrace-*) is ever removed, and only when orphaned. */
async function removeOrphanedScratch(): Promise<void> {
  const deadline = Date.now() + ORPHAN_CLIENT_WAIT_MS;
  while (runningClients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));

  const scratchDir = process.env[SCRATCH_DIR_VARIABLE];
  if (!scratchDir || !path.basename(scratchDir).startsWith('tokenrace-')) return;
  await rm(scratchDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 }).catch(() => undefined);
}
