import type { JournalEvent } from '../journal/events.js';

/**
 * Counters for what faults and client knobs produce, from one layout's journal events:
 * lock steals, recovery time, torn reads, restarts. Pure functions of the journal.
 */
export interface FaultCounters {
  /**
   * Locks taken while another worker still held the same lock location, per the journal: taken as
   * stale from a live (stalled) holder, or from under a holder whose lock dir was removed. A lock
   * taken over from a killed holder is not a steal: nobody was holding it any more.
   */
  lock_steals: number;
  /** Credential reads that did not parse (torn by an in-place write). */
  torn_reads: number;
  /** Refreshes given up because the lock stayed held past the retry limit. */
  lock_timeout: number;
  /**
   * The longest stretch, over all workers, from a worker's first failure (invalid_grant, refresh
   * error, 401, lock timeout, torn read, compromised lock, being killed) to its next success
   * (refresh_ok or api_ok). null when no worker failed.
   */
  time_to_recover_ms: number | null;
  /** Failure stretches that never ended in a success before the run ended. */
  unrecovered: number;
  /** Clients SIGKILLed by a fault, and restarted after it. */
  kills: number;
  restarts: number;
  worker_faults: number;
  logged_out: number;
  stores_wiped: number;
  tokens_adopted: number;
  flock_timeouts: number;
  /** Total time wrapped invocations waited for the external flock(1). */
  flock_wait_ms: number;
}

const FAILURES = new Set([
  'invalid_grant',
  'refresh_error',
  'api_unauthorized',
  'lock_retry_limit_reached',
  'credentials_torn',
  'lock_compromised',
  'flock_timeout',
]);
const SUCCESSES = new Set(['refresh_ok', 'api_ok']);

export function countClientFaults(events: readonly JournalEvent[]): FaultCounters {
  const ordered = [...events].sort((a, b) => a.t - b.t);
  const count = (type: string) => ordered.filter((event) => event.type === type).length;
  const exits = ordered.filter((event) => event.type === 'worker_exit');
  const recovery = measureRecovery(ordered);
  return {
    lock_steals: countSteals(ordered),
    torn_reads: count('credentials_torn'),
    lock_timeout: count('lock_retry_limit_reached'),
    time_to_recover_ms: recovery.longestMs,
    unrecovered: recovery.unrecovered,
    kills: exits.reduce((sum, event) => sum + (event.type === 'worker_exit' ? (event.kills ?? 0) : 0), 0),
    restarts: exits.reduce((sum, event) => sum + (event.type === 'worker_exit' ? (event.restarts ?? 0) : 0), 0),
    worker_faults: count('worker_fault'),
    logged_out: ordered.filter((event) => event.type === 'session_end' && event.reason === 'logged_out').length,
    stores_wiped: count('store_wiped'),
    tokens_adopted: count('token_adopted'),
    flock_timeouts: count('flock_timeout'),
    flock_wait_ms: Math.round(
      ordered.reduce((sum, event) => sum + (event.type === 'flock_acquired' ? event.waitedMs : 0), 0),
    ),
  };
}

/** Replays who holds which lock location, and counts acquisitions of a location still held. */
export function countSteals(ordered: readonly JournalEvent[]): number {
  const holder = new Map<string, number>();
  const heldBy = new Map<number, Map<string, string>>();
  const drop = (worker: number, location: string) => {
    if (holder.get(location) === worker) holder.delete(location);
    const held = heldBy.get(worker);
    for (const [lockPath, heldLocation] of held ?? []) if (heldLocation === location) held!.delete(lockPath);
  };
  const dropAll = (worker: number) => {
    for (const location of heldBy.get(worker)?.values() ?? []) drop(worker, location);
  };

  let steals = 0;
  for (const event of ordered) {
    if (!('worker' in event) || event.worker === null || event.type === 'ledger') continue;

    const worker = event.worker;
    if (event.type === 'lock_acquired') {
      const current = holder.get(event.lockLocation);
      if (current !== undefined && current !== worker) {
        steals += 1;
        drop(current, event.lockLocation);
      }
      holder.set(event.lockLocation, worker);
      if (!heldBy.has(worker)) heldBy.set(worker, new Map());
      heldBy.get(worker)!.set(event.lockPath, event.lockLocation);
    } else if (event.type === 'lock_released') {
      drop(worker, event.lockLocation);
    } else if (event.type === 'lock_compromised') {
      const location = heldBy.get(worker)?.get(event.lockPath);
      if (location) drop(worker, location);
    } else if (
      event.type === 'session_start' ||
      event.type === 'session_end' ||
      (event.type === 'worker_fault' && event.kind.startsWith('kill-'))
    ) {
      // The process is gone (or new): whatever it held is orphaned, not held.
      dropAll(worker);
    }
  }
  return steals;
}

function measureRecovery(ordered: readonly JournalEvent[]): { longestMs: number | null; unrecovered: number } {
  const failingSince = new Map<number, number>();
  let longestMs: number | null = null;
  for (const event of ordered) {
    if (!('worker' in event) || event.worker === null || event.type === 'ledger') continue;

    const isKill = event.type === 'worker_fault' && event.kind.startsWith('kill-');
    if ((FAILURES.has(event.type) || isKill) && !failingSince.has(event.worker)) {
      failingSince.set(event.worker, event.t);
    } else if (SUCCESSES.has(event.type) && failingSince.has(event.worker)) {
      const recoveredMs = Math.round(event.t - failingSince.get(event.worker)!);
      longestMs = Math.max(longestMs ?? 0, recoveredMs);
      failingSince.delete(event.worker);
    }
  }
  return { longestMs, unrecovered: failingSince.size };
}
