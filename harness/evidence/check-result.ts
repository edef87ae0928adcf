import type { JournalEvent } from '../journal/events.js';

/**
 * What every checker returns: a status, a one-line summary a person can read, how much it looked
 * at and how much it found, and the first violation with the journal lines around it (the way
 * proper-lockfile's stress test prints the log around its first exclusion failure).
 */
export type CheckStatus = 'pass' | 'fail' | 'inconclusive';

export type CheckerName =
  | 'sessions'
  | 'contention'
  | 'mutual_exclusion'
  | 'token_lineage'
  | 'lost_rotations'
  | 'store_consistency';

export interface CheckResult {
  checker: CheckerName;
  status: CheckStatus;
  summary: string;
  /** How many things the checker examined (holds, redemptions, quiet points...). */
  checked: number;
  violations: number;
  first_violation: Violation | null;
}

export interface Violation {
  t: number;
  description: string;
  /** The journal lines around the violation, in clock order. */
  events: JournalEvent[];
}

export function statusOf(checked: number, violations: number): CheckStatus {
  if (violations > 0) return 'fail';
  return checked === 0 ? 'inconclusive' : 'pass';
}

/** 1,240 */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
