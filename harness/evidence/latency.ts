import * as hdr from 'hdr-histogram-js';
import type { JournalEvent } from '../journal/events.js';

/**
 * Latency distributions of one layout, from HdrHistogram (hdr-histogram-js): values are recorded
 * in whole microseconds with 3 significant digits, and read back in milliseconds.
 */
import { LATENCY_METRICS, PERCENTILES, type LatencyMetric } from './metric-names.js';

export { LATENCY_METRICS, PERCENTILES, type LatencyMetric };

export interface LatencySummary {
  count: number;
  /** All in milliseconds; null when there were no samples (a percentile of nothing is no pass). */
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** The samples of each metric, in milliseconds, in journal order. */
export function latencySamples(history: readonly JournalEvent[]): Record<LatencyMetric, number[]> {
  const samples: Record<LatencyMetric, number[]> = { lock_wait: [], lock_hold: [], refresh_latency: [], api_latency: [] };
  for (const event of history) {
    if (event.type === 'lock_acquired') samples.lock_wait.push(event.waitedMs);
    if (event.type === 'lock_released') samples.lock_hold.push(event.heldMs);
    if (event.type === 'refresh_ok' || event.type === 'invalid_grant') samples.refresh_latency.push(event.latencyMs);
    if (event.type === 'api_ok') samples.api_latency.push(event.latencyMs);
  }
  return samples;
}

export function summarizeLatencies(history: readonly JournalEvent[]): Record<LatencyMetric, LatencySummary> {
  const samples = latencySamples(history);
  return Object.fromEntries(LATENCY_METRICS.map((metric) => [metric, summarize(samples[metric])])) as Record<
    LatencyMetric,
    LatencySummary
  >;
}

function summarize(valuesMs: readonly number[]): LatencySummary {
  if (valuesMs.length === 0) return { count: 0, p50: null, p90: null, p95: null, p99: null, max: null, mean: null };

  const histogram = hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
  for (const value of valuesMs) histogram.recordValue(Math.max(0, Math.round(value * 1000)));
  const toMs = (micros: number) => Math.round(micros) / 1000;
  // A percentile reads the top of its bucket, which can lie above the largest value recorded.
  const at = (percentile: number) => toMs(Math.min(histogram.getValueAtPercentile(percentile), histogram.maxValue));
  const summary: LatencySummary = {
    count: valuesMs.length,
    p50: at(PERCENTILES.p50),
    p90: at(PERCENTILES.p90),
    p95: at(PERCENTILES.p95),
    p99: at(PERCENTILES.p99),
    max: toMs(histogram.maxValue),
    mean: toMs(histogram.mean),
  };
  histogram.destroy();
  return summary;
}
