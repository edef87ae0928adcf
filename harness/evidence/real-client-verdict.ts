import type { LayoutName } from '../journal/events.js';
import type { LayoutCounters } from './counters.js';
import type { LossCause, RealClientCounters } from './real-client-counters.js';
import type { VerdictResult } from './verdict.js';

/**
 * The gate for runs of real clients. The question a team brings is "does this client, in the
 * layout we run, lose sessions?", so every layout gets its own answer in the reasons. The run
 * fails when the shared layout (the fix) loses a session; it proves nothing when nothing was
 * refreshed there. Layouts other than shared are reported, not gated: with a new client version
 * the legacy layout may well be safe, and that is a finding, not a failure.
 */
export function judgeRealClients(layouts: Partial<Record<LayoutName, LayoutCounters>>): VerdictResult {
  const reasons: string[] = [];
  for (const [layout, counters] of Object.entries(layouts)) {
    const real = counters.real;
    if (!real) continue;
    const tally = realClientTally(real);
    const lost = real.lost_by.map((cause) => describeCause(cause, real)).join('; ');
    reasons.push(real.sessions_lost ? `${layout}: sessions lost: ${lost} (${tally})` : `${layout}: loses no session (${tally})`);
    for (const odd of real.misbehaviour) reasons.push(`${layout}: worker ${odd.worker ?? '?'} ${odd.kind}: ${odd.detail}`);
  }

  const shared = layouts.shared?.real;
  if (!shared) return { verdict: 'inconclusive', reasons: [...reasons, 'the shared layout did not run, so nothing gates'] };
  if (shared.sessions_lost) return { verdict: 'fail', reasons };
  if (shared.refresh_posts === 0) {
    return { verdict: 'inconclusive', reasons: [...reasons, 'shared: no refresh happened, so nothing was tested'] };
  }
  return { verdict: 'pass', reasons };
}

/** A layout's numbers in one line, as the verdict's reasons and the sessions checker give them. */
export function realClientTally(real: RealClientCounters): string {
  return (
    `${real.refresh_posts} refresh POSTs over ${real.generations} generations, ` +
    `${real.invalid_grant} invalid_grant, ${real.failed_runs}/${real.runs} runs failed, store ${real.store}`
  );
}

/** One cause of a lost session, in words a user acts on: who must log in again, and why. */
function describeCause(cause: LossCause, real: RealClientCounters): string {
  switch (cause) {
    case 'invalid_grant':
      return `${real.invalid_grant} refresh attempts refused (invalid_grant)`;
    case 'failed_runs': {
      const codes = Object.entries(real.exit_codes).filter(([code]) => code !== '0');
      return `${real.failed_runs} of ${real.runs} client runs ended non-zero (${codes.map(([code, n]) => `${code}×${n}`).join(' ')})`;
    }
    case 'store_wiped':
      return 'the client wiped the credentials file (tokens cleared): a new login is needed';
    case 'store_dead':
      return 'the credentials file holds a refresh token the server refuses: a new login is needed';
    case 'store_corrupt':
      return 'the credentials file is no longer a credentials document';
  }
}
