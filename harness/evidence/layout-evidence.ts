import type { JournalEvent } from '../journal/events.js';
import type { CheckResult, CheckStatus } from './check-result.js';
import { checkContention, summarizeContention, type ContentionSummary } from './contention.js';
import { summarizeLatencies, type LatencyMetric, type LatencySummary } from './latency.js';
import { checkLostRotations } from './lost-rotations.js';
import { checkMutualExclusion } from './mutual-exclusion.js';
import { checkSessions } from './sessions.js';
import { checkStoreConsistency } from './store-consistency.js';
import { checkTokenLineage } from './token-lineage.js';

/**
 * Everything the checkers say about one layout, and its verdict:
 *
 * - `fail` when any checker found a violation;
 * - else `inconclusive` when the run could not have seen a failure: no refresh reached the
 *   server, or fewer contended refresh windows than the gate's minimum;
 * - else `pass`.
 */
export interface LayoutEvidence {
  verdict: CheckStatus;
  /** The line a person reads first (see sessions.ts). */
  headline: string;
  checks: CheckResult[];
  contention: ContentionSummary;
  latency: Record<LatencyMetric, LatencySummary>;
}

export interface EvidenceOptions {
  minContendedWindows: number;
}

/** `history` is one layout's events in clock order (history.ts `layoutHistory`). */
export function judgeLayout(history: readonly JournalEvent[], options: EvidenceOptions): LayoutEvidence {
  const start = history.find((event) => event.type === 'layout_start');
  const coordinates = start?.type === 'layout_start' ? start.coordinates !== false : true;
  const contention = summarizeContention(history);
  const sessions = checkSessions(history, contention);
  const checks = [
    sessions,
    checkContention(contention, options.minContendedWindows),
    checkMutualExclusion(history, { coordinates }),
    checkTokenLineage(history),
    checkLostRotations(history),
    checkStoreConsistency(history),
  ];
  return {
    verdict: verdictOf(checks),
    headline: sessions.summary,
    checks,
    contention,
    latency: summarizeLatencies(history),
  };
}

function verdictOf(checks: readonly CheckResult[]): CheckStatus {
  if (checks.some((check) => check.status === 'fail')) return 'fail';

  // Only these two decide whether the run had the power to see a failure; a checker with nothing
  // to look at (no lock in a lockless client) says nothing about that.
  const decisive = checks.filter((check) => check.checker === 'sessions' || check.checker === 'contention');
  return decisive.some((check) => check.status === 'inconclusive') ? 'inconclusive' : 'pass';
}
