import { describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../harness/evidence/check-result.js';
import type { LayoutEvidence } from '../../harness/evidence/layout-evidence.js';
import { judgeRun } from '../../harness/evidence/verdict.js';

function evidence(verdict: CheckStatus): LayoutEvidence {
  return { verdict, headline: verdict, checks: [], contention: {} as LayoutEvidence['contention'], latency: {} as LayoutEvidence['latency'] };
}

const layouts = ['legacy', 'shared'] as const;

describe('judgeRun', () => {
  it('passes when shared holds and legacy shows the bug', () => {
    const result = judgeRun({ layouts, evidence: { legacy: evidence('fail'), shared: evidence('pass') }, thresholds: [], interrupted: false });

    expect(result.verdict).toBe('pass');
  });

  it('fails when shared fails, whatever else is doubtful', () => {
    const result = judgeRun({ layouts, evidence: { legacy: evidence('pass'), shared: evidence('fail') }, thresholds: [], interrupted: false });

    expect(result.verdict).toBe('fail');
  });

  it('is inconclusive when legacy could not show the bug, shared saw no contention, or a layout is missing', () => {
    const judge = (legacy: CheckStatus | null, shared: CheckStatus) =>
      judgeRun({ layouts, evidence: { ...(legacy ? { legacy: evidence(legacy) } : {}), shared: evidence(shared) }, thresholds: [], interrupted: false }).verdict;

    expect(judge('pass', 'pass')).toBe('inconclusive');
    expect(judge('fail', 'inconclusive')).toBe('inconclusive');
    expect(judge(null, 'pass')).toBe('inconclusive');
  });

  it('fails on a failed threshold and doubts an inconclusive one', () => {
    const base = { layouts, evidence: { legacy: evidence('fail'), shared: evidence('pass') }, interrupted: false };

    expect(judgeRun({ ...base, thresholds: [{ threshold: 'x', status: 'fail', observed: 1 }] }).verdict).toBe('fail');
    expect(judgeRun({ ...base, thresholds: [{ threshold: 'x', status: 'inconclusive', observed: null }] }).verdict).toBe('inconclusive');
  });

  it('is inconclusive when interrupted', () => {
    const result = judgeRun({ layouts, evidence: { legacy: evidence('fail'), shared: evidence('pass') }, thresholds: [], interrupted: true });

    expect(result.verdict).toBe('inconclusive');
  });
});
