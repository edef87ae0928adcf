import type { LayoutName } from '../journal/events.js';
import type { LayoutCounters } from './counters.js';
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
    const lost = real.sessions_lost ? 'loses sessions' : 'loses no session';
    reasons.push(
      `${layout}: ${lost} (${real.refresh_posts} refresh POSTs over ${real.generations} generations, ` +
        `${real.invalid_grant} invalid_grant, ${real.failed_runs}/${real.runs} runs failed, store ${real.store})`,
    );
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
