import { countLayout, type LayoutCounters } from '../evidence/counters.js';

/**
 * The counters a scenario may state expectations about: every number or yes/no that
 * `countLayout` produces, nested ones spelt with a dot (`ledger.invalid_grant`). The list is
 * read off an empty journal's counters, so a counter added to counters.ts is expectable at once.
 */
export type CounterValue = number | boolean;

export function flattenCounters(counters: LayoutCounters): Record<string, CounterValue> {
  const flat: Record<string, CounterValue> = {};
  const visit = (value: unknown, prefix: string) => {
    if (typeof value === 'number' || typeof value === 'boolean') {
      flat[prefix] = value;
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;

    for (const [key, inner] of Object.entries(value)) visit(inner, prefix ? `${prefix}.${key}` : key);
  };
  visit(counters, '');
  return flat;
}

export const COUNTER_NAMES = Object.keys(flattenCounters(countLayout([], 'legacy'))) as [
  string,
  ...string[],
];
