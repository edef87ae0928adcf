import { invalidOption } from '../errors.js';
import { parseThreshold } from '../evidence/thresholds.js';
import type { GateSettings } from '../journal/events.js';

/**
 * The gate's flags, shared by `compare` and `report`: thresholds, whether an inconclusive run may
 * pass, and the least contended refresh windows a layout needs before its verdict means anything.
 * Validated before anything runs or is written.
 */
export const GATE_FLAGS = {
  threshold: {
    type: 'string',
    array: true,
    describe: "k6-style threshold, repeatable: 'shared.invalid_grant==0', 'shared.lock_wait_p99<250ms'",
  },
  'allow-inconclusive': {
    type: 'boolean',
    describe: 'exit 0 instead of 3 when the evidence is inconclusive (the report still says so)',
  },
  'min-contended-windows': {
    type: 'string',
    describe: 'fewer contended refresh windows than this make a layout inconclusive',
    defaultDescription: String(3),
  },
} as const;

export const DEFAULT_MIN_CONTENDED_WINDOWS = 3;

export function resolveGate(raw: Partial<Record<string, unknown>>, fallback?: GateSettings): GateSettings {
  const given = raw.threshold;
  const thresholds = given === undefined ? (fallback?.thresholds ?? []) : [given].flat().map(String);
  for (const source of thresholds) parseThreshold(source);

  const minRaw = raw['min-contended-windows'];
  let min = fallback?.min_contended_windows ?? DEFAULT_MIN_CONTENDED_WINDOWS;
  if (minRaw !== undefined) {
    const text = String(minRaw);
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1_000_000) {
      throw invalidOption('--min-contended-windows', text, 'a whole number from 1 to 1000000');
    }
    min = Number(text);
  }
  const allow = raw['allow-inconclusive'];
  return {
    thresholds,
    allow_inconclusive: allow === undefined ? (fallback?.allow_inconclusive ?? false) : Boolean(allow),
    min_contended_windows: min,
  };
}
