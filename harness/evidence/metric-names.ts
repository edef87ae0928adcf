/**
 * The names of the latency metrics and their statistics, kept apart from latency.ts so that the
 * CLI can validate `--threshold` before it loads the histogram library.
 */
export const LATENCY_METRICS = ['lock_wait', 'lock_hold', 'refresh_latency', 'api_latency'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

export const PERCENTILES = { p50: 50, p90: 90, p95: 95, p99: 99 } as const;
