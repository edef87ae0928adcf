/**
 * The tinypool worker: one process per container. It starts the container's client (under
 * `unshare` for namespace isolation), waits for it, and returns how it ended. Events do not pass
 * through here; the client streams them to the coordinator itself (event-channel.ts).
 *
 * The client's stdin is a pipe from this process, so if this worker dies for any reason, the
 * client sees end-of-file and exits too: nothing of a run outlives its workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';

export interface ContainerTask {
  worker: number;
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /**
   * The run's temp dir. If the coordinator is killed outright it cannot remove it, so the
   * workers do, once their clients are gone (issue 6: nothing of a run outlives it).
   */
  scratchDir?: string;
}

export interface ContainerResult {
  worker: number;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
}

const STDERR_TAIL_BYTES = 4096;
const running = new Set<ChildProcess>();
let scratchDir: string | undefined;
/** Set when the coordinator is gone; a task result then has nowhere to go (tinypool would throw). */
let orphaned = false;
/** How long an orphaned worker waits for its client before removing the temp dir anyway. */
const ORPHAN_CLIENT_WAIT_MS = 800;

function stopChildren(): void {
  for (const child of running) child.kill('SIGTERM');
}

// Tinypool terminates workers with SIGTERM; the coordinator dying shows up as a lost IPC channel.
process.on('SIGTERM', () => {
  stopChildren();
  process.exit(0);
});
process.on('disconnect', () => {
  orphaned = true;
  stopChildren();
  void removeOrphanedScratch().finally(() => process.exit(0));
});

/** Only a directory the harness made (tokenrace-*) is ever removed, and only when orphaned. */
async function removeOrphanedScratch(): Promise<void> {
  const deadline = Date.now() + ORPHAN_CLIENT_WAIT_MS;
  while (running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const child of running) child.kill('SIGKILL');
  if (!scratchDir || !path.basename(scratchDir).startsWith('tokenrace-')) return;
  await rm(scratchDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 }).catch(() => undefined);
}

export default function runContainer(task: ContainerTask): Promise<ContainerResult> {
  scratchDir = task.scratchDir;
  return new Promise((resolve) => {
    const child = spawn(task.file, task.args, {
      env: task.env,
      cwd: task.cwd,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    running.add(child);

    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', (error) => {
      stderr += `\nspawn ${task.file}: ${error.message}`;
    });
    child.on('close', (exitCode, signal) => {
      running.delete(child);
      if (orphaned) return;
      resolve({ worker: task.worker, exitCode, signal, stderrTail: stderr.trim() });
    });
  });
}
