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
  /**
   * Start the client again when it dies of SIGKILL (a worker fault), as an orchestrator restarts
   * a killed container. The new process gets TOKENRACE_RESTART=<n>.
   */
  restartKilled?: boolean;
}

export interface ContainerResult {
  worker: number;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
  /** SIGKILLs the client died of, and restarts after them. */
  kills: number;
  restarts: number;
}

const STDERR_TAIL_BYTES = 4096;
// SIGTERM from tinypool and the coordinator's death are handled by orphan-guard.ts, loaded
// into this process before its first task.

/** How often one container may be restarted in a run: a guard against a restart loop. */
const MAX_RESTARTS = 100;

export default async function runContainer(task: ContainerTask): Promise<ContainerResult> {
  let kills = 0;
  let restarts = 0;
  let stderrTail = '';
  for (;;) {
    const env = restarts > 0 ? { ...task.env, TOKENRACE_RESTART: String(restarts) } : task.env;
    const ended = await runClientOnce(task, env);
    stderrTail = (stderrTail + '\n' + ended.stderr).trim().slice(-STDERR_TAIL_BYTES);
    if (ended.signal === 'SIGKILL') kills += 1;
    if (!(ended.signal === 'SIGKILL' && task.restartKilled && restarts < MAX_RESTARTS && !isOrphaned())) {
      return { worker: task.worker, exitCode: ended.exitCode, signal: ended.signal, stderrTail, kills, restarts };
    }
    restarts += 1;
  }
}


interface ClientEnd {
  exitCode: number | null;
  signal: string | null;
  stderr: string;
}

function runClientOnce(task: ContainerTask, env: Record<string, string>): Promise<ClientEnd> {
  return new Promise((resolve) => {
    const child = spawn(task.file, task.args, {
      env,
      cwd: task.cwd,
      stdio: ['pipe', 'ignore', 'pipe'],
      // A session of its own: a terminal's Ctrl-C goes to the whole foreground process group,
      // and the coordinator, not the terminal, decides how a run's clients stop.
      detached: true,
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
      // Orphaned: the result has nowhere to go (tinypool would throw on the closed channel).
      if (isOrphaned()) return;
      resolve({ exitCode, signal, stderr: stderr.trim() });
    });
  });
}
