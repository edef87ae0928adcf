import type { JournalEvent } from '../journal/events.js';
import { formatCount, statusOf, type CheckResult } from './check-result.js';
import { eventsAround, ledgerEntries } from './history.js';

/**
 * Lost rotations: refresh tokens the server issued that no worker ever persisted. A client emits
 * `refresh_ok` (with the token it `issued` to the store) only after the write, and `relogin`
 * after writing a login's tokens; a rotation in the ledger with neither is a session the server
 * moved on while the client never learnt of it (timeout, crash, kill mid-request).
 *
 * Logins by worker 0 or by no worker are the harness seeding the store, not part of a session.
 */
export function checkLostRotations(history: readonly JournalEvent[]): CheckResult {
  const persisted = new Set<string>();
  for (const event of history) {
    if (event.type === 'refresh_ok' || event.type === 'relogin') persisted.add(event.issued);
  }
  const issued = ledgerEntries(history).filter(
    (entry) =>
      entry.issued !== null &&
      (entry.outcome === 'refresh_ok' || (entry.outcome === 'login_ok' && (entry.worker ?? 0) > 0)),
  );
  const lost = issued.filter((entry) => !persisted.has(entry.issued!));
  const first = lost[0];
  return {
    checker: 'lost_rotations',
    status: statusOf(issued.length, lost.length),
    summary: `${formatCount(issued.length)} tokens issued to workers, ${formatCount(lost.length)} never persisted`,
    checked: issued.length,
    violations: lost.length,
    first_violation: first
      ? {
          t: first.t,
          description: `the server issued ${first.issued} to worker ${first.worker} (${first.outcome}); no worker persisted it`,
          events: eventsAround(history, first.t),
        }
      : null,
  };
}
