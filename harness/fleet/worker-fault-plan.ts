import { readFileSync, writeFileSync } from 'node:fs';
import type { WorkerFault, WorkerFaultKind, WorkerFaults } from './worker-faults.js';

// The client-side half of worker-faults.ts, apart from its zod schema: every client process
// loads this at start, and a 64-container run pays for each module 64 times.

export function clockOffsetMs(faults: WorkerFaults): number {
  return faults.reduce((sum, fault) => sum + (fault.kind === 'clock-offset' ? fault.offsetMs : 0), 0);
}

/**
 * Decides, inside one client process, when each fault fires. What fired is kept in a small state
 * file of the container (outside its view of the store), so counts carry across restarts: a
 * killing fault is recorded before the kill.
 */
export class FaultPlan {
  readonly #faults: WorkerFaults;
  readonly #statePath: string | null;
  readonly #fired: number[];

  constructor(faults: WorkerFaults, statePath: string | null) {
    this.#faults = faults;
    this.#statePath = statePath;
    this.#fired = readState(statePath, faults.length);
  }

  /** The first fault of `kind` still due, counted (and recorded) as fired. */
  take<K extends WorkerFaultKind>(kind: K): Extract<WorkerFault, { kind: K }> | null {
    for (const [index, fault] of this.#faults.entries()) {
      if (fault.kind !== kind || !('times' in fault)) continue;
      if ((this.#fired[index] ?? 0) >= fault.times) continue;

      this.#fired[index] = (this.#fired[index] ?? 0) + 1;
      // Synchronous: the next thing a killing fault does is SIGKILL this process.
      if (this.#statePath) writeFileSync(this.#statePath, JSON.stringify(this.#fired));
      return fault as Extract<WorkerFault, { kind: K }>;
    }
    return null;
  }
}

function readState(statePath: string | null, length: number): number[] {
  if (!statePath) return Array.from({ length }, () => 0);
  try {
    const fired = JSON.parse(readFileSync(statePath, 'utf8')) as unknown;
    if (Array.isArray(fired) && fired.length === length) return fired.map(Number);
  } catch {
    // First life of this container: nothing fired yet.
  }
  return Array.from({ length }, () => 0);
}

/** Blocks the event loop: timers (proper-lockfile's heartbeat among them) cannot run. */
export function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}
