/**
 * Entry of one container that runs a real client: the Claude Code binary, or any command. It
 * stands where client-main.ts stands for the built-in model: inside the container's namespace,
 * it says hello on the event channel, waits for `go`, then starts the command — again and again
 * until the deadline (`loop`, for `claude -p`), or once (`once`, for a command that keeps its own
 * loop). It reports what it can see from outside: each exit, its code, and the NDJSON events a
 * command chooses to write on fd 3.
 *
 * Commands run in their own process group, so a client that forks (a shell running curl) is
 * stopped whole. A command that outlives the deadline by more than the grace is killed and
 * reported as hung.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { joinEventChannel } from '../fleet/channel-member.js';
import { createRunClock } from '../journal/clock.js';
import { RUNNER_VARIABLE, type RunnerSettings } from './runner-settings.js';
import { EVENT_FD, EventFdReader } from './event-fd.js';

const OUTPUT_TAIL_BYTES = 2048;

async function main(): Promise<void> {
  const settings = JSON.parse(process.env[RUNNER_VARIABLE] ?? '') as RunnerSettings;
  delete process.env[RUNNER_VARIABLE];
  const clock = createRunClock(settings.clockOriginEpochMs);
  const state = { stopped: false, child: null as ChildProcess | null };
  const stop = () => {
    state.stopped = true;
    const child = state.child;
    if (!child) return;
    killGroup(child, 'SIGTERM');
    setTimeout(() => killGroup(child, 'SIGKILL'), 2_000).unref();
  };
  const stopAndLeave = () => {
    stop();
    setTimeout(() => process.exit(0), 500).unref();
  };
  const channel = await joinEventChannel({ ...settings, clock, onStop: stop, onClose: stopAndLeave });
  const emit = channel.emit;
  process.stdin.on('end', stopAndLeave);
  process.stdin.resume();

  const deadline = await channel.go;
  let runNumber = 0;
  do {
    runNumber += 1;
    await runOnce(settings, runNumber, deadline, state, emit);
  } while (settings.mode === 'loop' && !state.stopped && Date.now() < deadline);

  await channel.end();
  process.exit(0);
}

async function runOnce(
  settings: RunnerSettings,
  run: number,
  deadline: number,
  state: { stopped: boolean; child: ChildProcess | null },
  emit: (event: Record<string, unknown>) => void,
): Promise<void> {
  const started = Date.now();
  const child = spawn(settings.argv[0]!, settings.argv.slice(1), {
    // Whole milliseconds: shells compare integers only.
    env: { ...process.env, TOKENRACE_DEADLINE_EPOCH_MS: String(Math.floor(deadline)), TOKENRACE_RUN: String(run) },
    cwd: settings.cwd,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  state.child = child;
  let output = '';
  const keep = (chunk: string) => (output = (output + chunk).slice(-OUTPUT_TAIL_BYTES));
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const events = new EventFdReader(child.stdio[EVENT_FD], settings.maxEvents, emit);

  // Hung: still running a grace after the deadline. The watchdog kills the whole group.
  const watchdog = setTimeout(() => {
    emit({ type: 'command_killed', run, reason: state.stopped ? 'stopped' : 'hung' });
    killGroup(child, 'SIGKILL');
  }, Math.max(0, deadline - Date.now()) + settings.hangGraceMs);

  const { exitCode, signal } = await new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
    child.on('error', (error) => keep(`\nspawn ${settings.argv[0]}: ${error.message}`));
    child.on('close', (code, sig) => resolve({ exitCode: code, signal: sig }));
  });
  clearTimeout(watchdog);
  await events.drained();
  state.child = null;

  const ended = Date.now();
  const clean = exitCode === 0 && signal === null;
  emit({
    type: 'command_exit',
    run,
    exitCode,
    signal,
    durationMs: ended - started,
    beforeDeadlineMs: Math.round(deadline - ended),
    outputTail: clean ? '' : output.trim(),
  });
  // A command that fails at once must not spin: pace the loop a little.
  if (!clean && ended - started < 100) await sleep(100);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`runner: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(70);
});
