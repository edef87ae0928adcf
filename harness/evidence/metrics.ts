import type { LayoutCounters } from './counters.js';
import { LATENCY_METRICS, type LatencySummary } from './latency.js';
import type { LayoutEvidence } from './layout-evidence.js';
import { COUNT_METRICS } from './thresholds.js';

/**
 * The flat metric table thresholds are evaluated against: every name in thresholds.ts's
 * COUNT_METRICS and DURATION_METRICS, each a number or null (no samples).
 */
export function layoutMetrics(counters: LayoutCounters, evidence: LayoutEvidence): Record<string, number | null> {
  const metrics: Record<string, number | null> = {};
  const flat = { ...counters, ...evidence.contention } as unknown as Record<string, unknown>;
  for (const name of COUNT_METRICS) {
    const value = name.startsWith('ledger.') ? (counters.ledger as unknown as Record<string, unknown>)[name.slice(7)] : flat[name];
    // A counter this journal's version does not have reads as no samples, never as 0.
    metrics[name] = typeof value === 'number' ? value : null;
  }
  for (const check of evidence.checks) metrics[`${check.checker}_violations`] = check.violations;
  for (const metric of LATENCY_METRICS) {
    const summary = evidence.latency[metric];
    for (const stat of ['p50', 'p90', 'p95', 'p99', 'max', 'mean'] as const) {
      metrics[`${metric}_${stat}`] = summary[stat as keyof LatencySummary] as number | null;
    }
  }
  return metrics;
}
