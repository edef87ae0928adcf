import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from '../paths.js';
import { countLeftovers, findMarkedProcesses, type Leftovers } from '../safety/leftovers.js';
import { RUN_MARKER_VARIABLE } from '../safety/run-marker.js';

/**
 * Ends a real `tokenrace compare` run in a chosen way and counts what it left behind. Each run
 * gets its own TMPDIR and marker, so a leftover can only be this run's. Shared by the cleanup
 * tests (a few runs per ending) and the cleanup bench (fifty).
 */
export type Ending = 'normal' | 'sigint' | 'sigterm' | 'worker-crash' | 'exception' | 'sigkill' | 'time-budget';

export const ENDINGS: readonly Ending[] = ['normal', 'sigint', 'sigterm', 'worker-crash', 'exception', 'sigkill', 'time-budget'];

export interface EndingOptions {
  ending: Ending;
  workers?: number;
  durationMs?: number;
  isolation?: 'namespace' | 'paths' | 'auto';
  /** For signal endings: how long after the first layout starts to deliver it. */
  afterMs?: number;
  /** Extra CLI arguments. */
  args?: string[];
}

export interface EndingResult {
  ending: Ending;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Milliseconds from the ending's trigger to the CLI's exit. */
  endedAfterMs: number;
  /** Counted the moment the CLI exited (for `sigkill`: 2 s after the kill). */
  leftovers: Leftovers;
  /** The run's report dirs (usually one) under its private --out. */
  reportDirs: string[];
  out: string;
  remove: () => Promise<void>;
}

const BIN = path.join(PROJECT_ROOT, 'bin', 'tokenrace.js');
/** After SIGKILL the coordinator cannot clean up; workers and clients must notice on their own. */
export const ORPHAN_GRACE_MS = 2_000;

export async function runEnding(options: EndingOptions): Promise<EndingResult> {
  const root = await mkdtemp(path.join(tmpdir(), 'tokenrace-ending-'));
  const tmp = path.join(root, 'tmp');
  const out = path.join(root, 'out');
  await Promise.all([mkdirp(tmp), mkdirp(out)]);
  const marker = `ending-${options.ending}-${path.basename(root)}`;
  const duration = options.durationMs ?? (options.ending === 'normal' ? 500 : 5_000);
  const args = [
    BIN, 'compare', '--workers', String(options.workers ?? 2), '--duration', `${duration}ms`,
    '--isolation', options.isolation ?? 'auto', '--seed', '6', '--json', '--out', out,
    ...(options.ending === 'time-budget' ? ['--time-budget', '2s'] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, TMPDIR: tmp, [RUN_MARKER_VARIABLE]: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );

  let triggeredAt = Date.now();
  if (options.ending !== 'normal' && options.ending !== 'time-budget') {
    await waitFor(() => stderr.includes('running legacy'), 30_000);
    if (options.ending !== 'worker-crash') await sleep(options.afterMs ?? 1_000);
    triggeredAt = Date.now();
    await trigger(options.ending, child.pid!, marker, out, options.afterMs ?? 1_000);
  }
  const { code, signal } = await exited;
  const endedAfterMs = Date.now() - triggeredAt;
  if (options.ending === 'sigkill') await sleep(Math.max(0, ORPHAN_GRACE_MS - endedAfterMs));

  const leftovers = await countLeftovers({ marker, tempRoot: tmp, mountRoot: root });
  const reportDirs = (await readdir(out).catch(() => [] as string[])).map((name) => path.join(out, name));
  const remove = async () => {
    for (const { pid } of leftovers.processes) killQuietly(pid);
    await rm(root, { recursive: true, force: true });
  };
  return { ending: options.ending, code, signal, stderr, endedAfterMs, leftovers, reportDirs, out, remove };
}

async function trigger(ending: Ending, cliPid: number, marker: string, out: string, afterMs: number): Promise<void> {
  if (ending === 'sigint') process.kill(cliPid, 'SIGINT');
  if (ending === 'sigterm') process.kill(cliPid, 'SIGTERM');
  if (ending === 'sigkill') process.kill(cliPid, 'SIGKILL');
  if (ending === 'exception') await rm(out, { recursive: true, force: true });
  if (ending === 'worker-crash') {
    const client = await waitForClient(marker);
    await sleep(afterMs);
    if (client !== null) process.kill(client, 'SIGKILL');
  }
}

/** A client of the run once all are up (a slow machine may take seconds to start them). */
async function waitForClient(marker: string): Promise<number | null> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const clients = (await findMarkedProcesses(marker)).filter(({ command }) => command.includes('client-main'));
    if (clients.length > 0) return clients[0]!.pid;
    await sleep(50);
  }
  return null;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(20);
}

async function mkdirp(dir: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
