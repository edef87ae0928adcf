/**
 * The tinypool worker: one process per container. It starts the container's client (under
 * `unshare` for namespace isolation), waits for it, and returns how it ended. Events do not pass
 * through here; the client streams them to the coordinator itself (event-channel.ts).
 *
 * The client's stdin is a pipe from this process, so if this worker dies for any reason, the
 * client sees end-of-file and exits too: nothing of a run outlives its workers.
 */
import { spawn } from 'node:child_process';
import { isOrphaned, runningClients } from './orphan-guard.js';

export interface ContainerTask {
  worker: number;
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface ContainerResult {
  worker: number;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
}

const STDERR_TAIL_BYTES = 4096;
export default function runContainer(task: ContainerTask): Promise<ContainerResult> {
  return new Promise((resolve) => {
    const child = spawn(task.file, task.args, {
      env: task.env,
      cwd: task.cwd,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    runningClients.add(child);

    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', (error) => {
      stderr += `\nspawn ${task.file}: ${error.message}`;
    });
    child.on('close', (exitCode, signal) => {
      runningClients.delete(child);
      if (isOrphaned()) return;
      resolve({ worker: task.worker, exitCode, signal, stderrTail: stderr.trim() });
    });
  });
}
