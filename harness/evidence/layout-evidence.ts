import type { JournalEvent } from '../journal/events.js';
import type { CheckerName, CheckResult, CheckStatus } from './check-result.js';
import { countRealClients } from './real-client-counters.js';
import { realClientTally } from './real-client-verdict.js';
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
  if (onlyRealClients(history)) return judgeRealClientLayout(history);
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

/** Every container ran the Claude Code binary or a command: nothing ran the built-in model. */
function onlyRealClients(history: readonly JournalEvent[]): boolean {
  const assigned = history.filter((event) => event.type === 'client_assigned');
  return assigned.length > 0 && assigned.every((event) => event.type === 'client_assigned' && event.client !== 'builtin');
}

/**
 * Real clients send no lock, write or refresh events of their own (an exec client may send
 * some), so the checkers built on those would find nothing, or worse, find every issued token
 * "never persisted". Such a layout is judged as the Real clients table judges it: from the
 * ledger, the clients' exits and the store they leave (real-client-counters.ts), plus the
 * ledger's own lineage. The other checkers say they did not judge it.
 */
function judgeRealClientLayout(history: readonly JournalEvent[]): LayoutEvidence {
  const layout = history.find((event) => event.layout !== undefined)?.layout ?? 'shared';
  const real = countRealClients(history, layout, 0);
  const causes = real.lost_by.length > 0 ? `sessions lost (${real.lost_by.join(', ')})` : 'no session lost';
  const sessions: CheckResult = {
    checker: 'sessions',
    status: real.sessions_lost ? 'fail' : 'pass',
    summary: `${causes}: ${realClientTally(real)}, at most ${real.max_posts_per_generation} POSTs per generation`,
    checked: real.refresh_posts,
    violations: real.invalid_grant,
    first_violation: null,
  };
  const notJudged = (checker: CheckerName): CheckResult => ({
    checker,
    status: 'inconclusive',
    summary: 'not judged: real clients are judged from the ledger, their exits and the store',
    checked: 0,
    violations: 0,
    first_violation: null,
  });
  const lineage = checkTokenLineage(history);
  return {
    verdict: sessions.status === 'fail' || lineage.status === 'fail' ? 'fail' : 'pass',
    headline: sessions.summary,
    checks: [
      sessions,
      notJudged('contention'),
      notJudged('mutual_exclusion'),
      lineage,
      notJudged('lost_rotations'),
      notJudged('store_consistency'),
    ],
    contention: summarizeContention(history),
    latency: summarizeLatencies(history),
  };
}
