import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { findMarkedProcesses } from './leftovers.js';

/**
 * The last line of the cleanup guarantee. Workers and clients are stopped in order (stop
 * message, tinypool's SIGTERM, stdin closing), and nearly always that is enough; but a client
 * that was still starting when its worker went, or one that wrote a lock dir after its scratch
 * dir was removed, would outlive the run. So before a layout's temp dir is removed, every process
 * still carrying the run's marker, other than this process and its ancestors, is SIGKILLed and
 * waited for.
 */
const REAP_WAIT_MS = 2_000;

/** Kills what is left of the run; returns how many processes it had to kill. */
export async function reapMarkedProcesses(marker: string): Promise<number> {
  if (marker === '') return 0;
  const spared = await ancestors(process.pid);
  const victims = (await findMarkedProcesses(marker)).filter(({ pid }) => !spared.has(pid));
  for (const { pid } of victims) killQuietly(pid);

  const deadline = Date.now() + REAP_WAIT_MS;
  while (Date.now() < deadline) {
    const alive = (await findMarkedProcesses(marker)).filter(({ pid }) => !spared.has(pid));
    if (alive.length === 0) break;
    for (const { pid } of alive) killQuietly(pid);
    await sleep(20);
  }
  return victims.length;
}

/** This process and every process above it: a caller that set the marker must never be hit. */
async function ancestors(pid: number): Promise<Set<number>> {
  const chain = new Set<number>([pid]);
  let current = pid;
  while (current > 1) {
    const stat = await readFile(`/proc/${current}/stat`, 'latin1').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(parent) || parent <= 0 || chain.has(parent)) break;
    chain.add(parent);
    current = parent;
  }
  return chain;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}
