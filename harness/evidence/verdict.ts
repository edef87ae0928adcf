import type { LayoutName } from '../journal/events.js';
import type { LayoutEvidence } from './layout-evidence.js';
import type { ThresholdResult } from './thresholds.js';

/**
 * The gate. A layout that is meant to hold (shared) must pass; a layout kept to reproduce the
 * bug (legacy) must fail, or the run had no power to see the bug at all and proves nothing
 * (inconclusive). Every threshold must hold. Failure outranks inconclusive, which outranks pass.
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive';

export type LayoutExpectation = 'hold' | 'reproduce';

/** What `compare` wants of each layout; a layout not named here is meant to hold. */
export const LAYOUT_EXPECTATIONS: Partial<Record<LayoutName, LayoutExpectation>> = {
  legacy: 'reproduce',
  shared: 'hold',
};

export function expectationOf(layout: LayoutName): LayoutExpectation {
  return LAYOUT_EXPECTATIONS[layout] ?? 'hold';
}

export interface VerdictResult {
  verdict: Verdict;
  reasons: string[];
}

export interface GateInput {
  layouts: readonly LayoutName[];
  evidence: Partial<Record<LayoutName, LayoutEvidence>>;
  thresholds: readonly ThresholdResult[];
  interrupted: boolean;
}

export function judgeRun(input: GateInput): VerdictResult {
  const failures: string[] = [];
  const doubts: string[] = [];
  const notes: string[] = [];
  if (input.interrupted) doubts.push('the run was interrupted');

  for (const layout of input.layouts) {
    const evidence = input.evidence[layout];
    if (!evidence) {
      doubts.push(`${layout}: did not run`);
      continue;
    }
    const line = `${layout}: ${evidence.headline}`;
    if (expectationOf(layout) === 'reproduce') {
      if (evidence.verdict === 'fail') notes.push(`${line} (the bug reproduced)`);
      else if (evidence.verdict === 'pass') doubts.push(`${line}: the bug did not reproduce, so this run has no power`);
      else doubts.push(`${line}: ${failedChecks(evidence, 'inconclusive')}`);
      continue;
    }
    if (evidence.verdict === 'fail') failures.push(`${line}; failed: ${failedChecks(evidence, 'fail')}`);
    else if (evidence.verdict === 'inconclusive') doubts.push(`${line}: ${failedChecks(evidence, 'inconclusive')}`);
    else notes.push(line);
  }
  for (const result of input.thresholds) {
    const observed = result.observed === null ? 'no samples' : `observed ${result.observed}`;
    if (result.status === 'fail') failures.push(`threshold ${result.threshold} failed (${observed})`);
    if (result.status === 'inconclusive') doubts.push(`threshold ${result.threshold} inconclusive (${observed})`);
  }

  const verdict: Verdict = failures.length > 0 ? 'fail' : doubts.length > 0 ? 'inconclusive' : 'pass';
  return { verdict, reasons: [...failures, ...doubts, ...notes] };
}

function failedChecks(evidence: LayoutEvidence, status: 'fail' | 'inconclusive'): string {
  const found = evidence.checks.filter((check) => check.status === status);
  return found.map((check) => `${check.checker} (${check.summary})`).join('; ') || status;
}

const RANK: Record<Verdict, number> = { pass: 0, inconclusive: 1, fail: 2 };

/** Two judgements as one: the worse verdict, with the reasons of both. */
export function worstOf(a: VerdictResult, b: VerdictResult): VerdictResult {
  const verdict = RANK[a.verdict] >= RANK[b.verdict] ? a.verdict : b.verdict;
  return { verdict, reasons: [...a.reasons, ...b.reasons] };
}
