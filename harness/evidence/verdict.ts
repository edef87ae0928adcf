import type { LayoutCounters } from './counters.js';

/**
 * The gate. The shared layout must lose no session; the legacy layout must lose at least one,
 * or the run had no power to see the bug at all and proves nothing (inconclusive).
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface VerdictResult {
  verdict: Verdict;
  reasons: string[];
}

export function judgeCompare(legacy: LayoutCounters | undefined, shared: LayoutCounters | undefined): VerdictResult {
  const reasons: string[] = [];
  if (!legacy || !shared) return { verdict: 'inconclusive', reasons: ['a layout did not run'] };

  if (shared.invalid_grant > 0) {
    reasons.push(`shared: ${shared.invalid_grant} invalid_grant; the fix lost sessions`);
    return { verdict: 'fail', reasons };
  }
  if (shared.ledger.refresh_ok === 0) {
    reasons.push('shared: no refresh happened, so nothing was tested');
    return { verdict: 'inconclusive', reasons };
  }
  if (legacy.invalid_grant === 0) {
    reasons.push('legacy: 0 invalid_grant; this run could not reproduce the bug, so it has no power');
    return { verdict: 'inconclusive', reasons };
  }
  reasons.push(`shared: 0 invalid_grant in ${shared.ledger.refresh_ok} refreshes`);
  reasons.push(`legacy: ${legacy.invalid_grant} invalid_grant, the bug reproduced`);
  return { verdict: 'pass', reasons };
}
