import type { JournalEvent } from '../journal/events.js';
import { formatCount, type CheckResult } from './check-result.js';
import type { ContentionSummary } from './contention.js';
import { eventsAround } from './history.js';

/**
 * Sessions: no worker was refused its refresh (invalid_grant), the way a person is logged out.
 * Inconclusive when no refresh ever reached the server: a run without refreshes tested nothing.
 */
export function checkSessions(history: readonly JournalEvent[], contention: ContentionSummary): CheckResult {
  const refused = history.filter((event) => event.type === 'invalid_grant');
  const rotations = history.filter((event) => event.type === 'ledger' && event.outcome === 'refresh_ok').length;
  const first = refused[0];
  const status = refused.length > 0 ? 'fail' : rotations === 0 ? 'inconclusive' : 'pass';
  return {
    checker: 'sessions',
    status,
    summary: sessionLine(refused.length, rotations, contention),
    checked: contention.attempts,
    violations: refused.length,
    first_violation: first
      ? {
          t: first.t,
          description: `worker ${'worker' in first ? first.worker : '?'} got invalid_grant`,
          events: eventsAround(history, first.t),
        }
      : null,
  };
}

/**
 * The line a person reads first, e.g.
 * `0 invalid_grant in 1,240 contended windows (failure rate < 0.24% at 95%)`.
 */
export function sessionLine(invalidGrants: number, rotations: number, contention: ContentionSummary): string {
  if (rotations === 0 && invalidGrants === 0) return 'no refresh reached the server';

  const n = formatCount(contention.contended_windows);
  if (invalidGrants === 0) {
    const bound = contention.failure_rate_upper_95;
    const rate = bound === null ? 'no bound without contention' : `failure rate < ${formatPercent(bound)} at 95%`;
    return `0 invalid_grant in ${n} contended windows (${rate})`;
  }
  const first = contention.first_failure_window;
  const when = first === null ? 'outside any contended window' : `first in contended window ${first} of ${n}` +
    (contention.first_failure_ms === null ? '' : `, ${(contention.first_failure_ms / 1000).toFixed(2)} s in`);
  return `${formatCount(invalidGrants)} invalid_grant, ${when}; ${formatCount(contention.failed_windows)} of ${n} contended windows failed`;
}

function formatPercent(rate: number): string {
  const percent = rate * 100;
  return `${percent >= 10 ? percent.toFixed(0) : percent >= 1 ? percent.toFixed(1) : percent.toFixed(2)}%`;
}
