import type { JournalEvent } from '../journal/events.js';
import { formatCount, statusOf, type CheckResult } from './check-result.js';
import { eventsAround, extractAttempts, ledgerEntries } from './history.js';

/**
 * Store consistency: at quiet points, the refresh token in the credentials file is one the server
 * still holds live (issued, not yet redeemed). A store left holding a spent token dooms the next
 * refresh of every worker that reads it (a late writer overwrote a newer rotation).
 *
 * The journal does not see the file, so its content is inferred: it is the token of the last
 * write (`refresh_ok` or `relogin`, both emitted after the atomic rename). A *quiet point* is the
 * end of a busy period, a maximal run of overlapping refresh attempts. When a busy period holds
 * writes by two or more workers, the order of their renames is not knowable from the clock, so
 * that point (and the ones after it, until the next single-writer period) are not checked.
 */
// TODO(evidence): the legacy layout's busy periods nearly always hold several writers, so this
// checker rarely judges it; reading the file's token at quiet points (a coordinator probe event)
// would make every quiet point checkable.
export function checkStoreConsistency(history: readonly JournalEvent[]): CheckResult {
  const writes = history.flatMap((event) =>
    (event.type === 'refresh_ok' || event.type === 'relogin') ? [{ t: event.t, worker: event.worker, token: event.issued }] : [],
  );
  const issuedAt = new Map<string, number>();
  const spentAt = new Map<string, number>();
  const familyOf = new Map<string, number | null>();
  const revokedAt = new Map<number, number>();
  for (const entry of ledgerEntries(history)) {
    if (entry.issued !== null && !issuedAt.has(entry.issued)) {
      issuedAt.set(entry.issued, entry.t);
      familyOf.set(entry.issued, entry.family);
    }
    if (entry.outcome === 'refresh_ok' && entry.presented !== null && !spentAt.has(entry.presented)) {
      spentAt.set(entry.presented, entry.t);
    }
    // A replay under family revocation kills every token of the family (RFC 9700 §4.14.2).
    if (entry.outcome === 'family_revoked' && entry.family !== null && !revokedAt.has(entry.family)) {
      revokedAt.set(entry.family, entry.t);
    }
  }
  const deadAt = (token: string) => {
    const family = familyOf.get(token);
    const revoked = family === null || family === undefined ? undefined : revokedAt.get(family);
    const spent = spentAt.get(token);
    return Math.min(spent ?? Infinity, revoked ?? Infinity);
  };

  let stored: string | null = null;
  let checked = 0;
  let skipped = 0;
  const bad: Array<{ t: number; token: string }> = [];
  for (const period of busyPeriods(history, writes.map((write) => write.t))) {
    const inside = writes.filter((write) => write.t >= period.start && write.t <= period.end);
    const writers = new Set(inside.map((write) => write.worker));
    if (writers.size > 1) {
      stored = null;
      skipped += 1;
      continue;
    }
    if (inside.length > 0) stored = inside.at(-1)!.token;
    if (stored === null) continue;

    checked += 1;
    const issued = issuedAt.get(stored);
    const live = issued !== undefined && issued <= period.end && deadAt(stored) > period.end;
    if (!live) bad.push({ t: period.end, token: stored });
  }

  const first = bad[0];
  return {
    checker: 'store_consistency',
    status: statusOf(checked, bad.length),
    summary:
      `${formatCount(checked)} quiet points checked, ${formatCount(bad.length)} with a spent token in the store` +
      (skipped > 0 ? `; ${formatCount(skipped)} busy periods with concurrent writers not checkable` : ''),
    checked,
    violations: bad.length,
    first_violation: first
      ? {
          t: first.t,
          description: `at ${first.t} ms the store held ${first.token}, which the server no longer held live`,
          events: eventsAround(history, first.t),
        }
      : null,
  };
}

interface Period {
  start: number;
  end: number;
}

/** Maximal overlapping runs of refresh attempts; a write outside any attempt is its own period. */
function busyPeriods(history: readonly JournalEvent[], writeTimes: readonly number[]): Period[] {
  const spans = [
    ...extractAttempts(history).map((attempt) => ({ start: attempt.start, end: attempt.end })),
    ...writeTimes.map((t) => ({ start: t, end: t })),
  ].sort((a, b) => a.start - b.start);
  const periods: Period[] = [];
  for (const span of spans) {
    const last = periods.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else periods.push({ ...span });
  }
  return periods;
}
