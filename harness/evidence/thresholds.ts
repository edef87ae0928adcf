import ms from 'ms';
import { invalidOption } from '../errors.js';
import type { LayoutName } from '../journal/events.js';
import { LATENCY_METRICS, PERCENTILES } from './metric-names.js';

/**
 * Thresholds in the manner of k6: `<layout>.<metric><op><value>`, such as
 * `shared.invalid_grant==0` or `shared.lock_wait_p99<250ms`. Parsed before a run starts, so a
 * misspelt metric is a usage error (exit 2) and never a silent pass; a metric with no samples at
 * the end (a percentile of no lock waits) makes its threshold inconclusive, not passed.
 */
export const COUNT_METRICS = [
  'workers',
  'refresh_posts',
  'refresh_ok',
  'invalid_grant',
  'refresh_errors',
  'race_resolved',
  'retry_limit_reached',
  'relogins',
  'api_ok',
  'api_unauthorized',
  'api_errors',
  'lock_compromised',
  'lock_locations',
  'lock_paths',
  'ledger.refresh_requests',
  'ledger.refresh_ok',
  'ledger.invalid_grant',
  'ledger.logins',
  'ledger.api_ok',
  'ledger.api_unauthorized',
  'ledger.family_revocations',
  'ledger.revoked_refused',
  'ledger.api_revoked',
  'ledger.rate_limited',
  'ledger.grace_replays',
  'ledger.forks',
  'ledger.rotations_undelivered',
  'windows',
  'contended_windows',
  'failed_windows',
  'mutual_exclusion_violations',
  'token_lineage_violations',
  'lost_rotations_violations',
  'store_consistency_violations',
] as const;

/** Every layout a threshold may name; a Record so that a new layout name cannot be forgotten. */
const LAYOUT_NAMES: Record<LayoutName, true> = {
  legacy: true,
  shared: true,
  'host-symlink': true,
  copies: true,
  'file-mount': true,
};
const LAYOUTS = Object.keys(LAYOUT_NAMES);

const STATISTICS = [...Object.keys(PERCENTILES), 'max', 'mean'];
export const DURATION_METRICS = LATENCY_METRICS.flatMap((metric) => STATISTICS.map((stat) => `${metric}_${stat}`));

const OPERATORS = {
  '==': (a: number, b: number) => a === b,
  '!=': (a: number, b: number) => a !== b,
  '<=': (a: number, b: number) => a <= b,
  '>=': (a: number, b: number) => a >= b,
  '<': (a: number, b: number) => a < b,
  '>': (a: number, b: number) => a > b,
} as const;
type Operator = keyof typeof OPERATORS;

export interface Threshold {
  source: string;
  layout: LayoutName;
  metric: string;
  operator: Operator;
  /** Milliseconds for duration metrics, a plain number for counts. */
  value: number;
}

const SHAPE = /^\s*([a-z-]+)\.([a-z0-9_.]+)\s*(==|!=|<=|>=|<|>)\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)\s*$/;
const EXPECTED = 'a threshold like shared.invalid_grant==0 or shared.lock_wait_p99<250ms';

export function parseThreshold(source: string): Threshold {
  const match = SHAPE.exec(source);
  if (!match) throw invalidOption('--threshold', source, EXPECTED);

  const [, layout, metric, operator, number, unit] = match as unknown as [string, string, string, Operator, string, string];
  if (!LAYOUTS.includes(layout)) {
    throw invalidOption('--threshold', source, `a layout among ${LAYOUTS.join(', ')}`);
  }
  const isDuration = DURATION_METRICS.includes(metric);
  if (!isDuration && !(COUNT_METRICS as readonly string[]).includes(metric)) {
    throw invalidOption('--threshold', source, `a known metric (${[...COUNT_METRICS, ...DURATION_METRICS].join(', ')})`);
  }
  if (!isDuration && unit !== '') throw invalidOption('--threshold', source, `a plain number for the count ${metric}`);

  const value = isDuration ? ms(`${number}${unit || 'ms'}` as ms.StringValue) : Number(number);
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalidOption('--threshold', source, 'a duration such as 250ms or 1s');
  return { source: source.trim(), layout: layout as LayoutName, metric, operator, value };
}

export type ThresholdStatus = 'pass' | 'fail' | 'inconclusive';

export interface ThresholdResult {
  threshold: string;
  status: ThresholdStatus;
  /** The observed value; null when the layout did not run or the metric had no samples. */
  observed: number | null;
}

/** `metrics` maps a layout to its metric values (see report/metrics.ts). */
export function evaluateThreshold(
  threshold: Threshold,
  metrics: Partial<Record<LayoutName, Record<string, number | null>>>,
): ThresholdResult {
  const observed = metrics[threshold.layout]?.[threshold.metric] ?? null;
  if (observed === null) return { threshold: threshold.source, status: 'inconclusive', observed: null };

  const holds = OPERATORS[threshold.operator](observed, threshold.value);
  return { threshold: threshold.source, status: holds ? 'pass' : 'fail', observed };
}
