import type { JournalEvent, LedgerEvent } from '../journal/events.js';
import { formatCount, statusOf, type CheckResult, type Violation } from './check-result.js';
import { eventsAround, ledgerEntries } from './history.js';

/**
 * Token lineage, from the endpoint's ledger: every refresh token is redeemed at most once.
 *
 * - a *replay* is a second successful redemption of one token: a strict server refuses it
 *   (invalid_grant), so replays only show under a lenient policy (a grace window), where they
 *   hide the race from the client; counted because a strict server would have refused them;
 * - a *fork* is a token with two different children: two live branches of one family;
 * - a client `refresh_ok` naming a rotation the ledger never made is a bookkeeping error.
 *
 * Refused redemptions (invalid_grant `reused`) are not lineage violations: the server kept the
 * family straight; the session checker counts what they cost.
 */
export function checkTokenLineage(history: readonly JournalEvent[]): CheckResult {
  const rotations = ledgerEntries(history).filter((entry) => entry.outcome === 'refresh_ok');
  const redeemed = new Map<string, LedgerEvent[]>();
  for (const entry of rotations) {
    if (entry.presented === null) continue;
    redeemed.set(entry.presented, [...(redeemed.get(entry.presented) ?? []), entry]);
  }

  const replays = [...redeemed.values()].flatMap((entries) => entries.slice(1));
  const forks = [...redeemed.values()].filter((entries) => new Set(entries.map((entry) => entry.issued)).size > 1);
  const known = new Set(rotations.map((entry) => `${entry.presented}>${entry.issued}`));
  const unknown = history.filter((event) => event.type === 'refresh_ok' && !known.has(`${event.presented}>${event.issued}`));
  const refused = ledgerEntries(history).filter((entry) => entry.outcome === 'invalid_grant' && entry.reason === 'reused');

  const violations = replays.length + unknown.length;
  const first = firstOf([
    ...replays.map((entry) => ({ t: entry.t, text: `token ${entry.presented} redeemed a second time (worker ${entry.worker})` })),
    ...unknown.map((event) => ({ t: event.t, text: `worker ${'worker' in event ? event.worker : '?'} reports a rotation the ledger never made` })),
  ]);
  return {
    checker: 'token_lineage',
    status: statusOf(rotations.length, violations),
    summary:
      `${formatCount(rotations.length)} rotations: ${formatCount(replays.length)} replays, ` +
      `${formatCount(forks.length)} forks, ${formatCount(unknown.length)} unknown to the ledger; ` +
      `${formatCount(refused.length)} reuses refused by the server`,
    checked: rotations.length,
    violations,
    first_violation: first ? { ...first, events: eventsAround(history, first.t) } : null,
  };
}

function firstOf(found: Array<{ t: number; text: string }>): Omit<Violation, 'events'> | null {
  const first = found.sort((a, b) => a.t - b.t)[0];
  return first ? { t: first.t, description: first.text } : null;
}
