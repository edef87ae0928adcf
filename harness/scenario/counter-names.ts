import { countLayout, type LayoutCounters } from '../evidence/counters.js';
import { countRealClients } from '../evidence/real-client-counters.js';

/**
 * The counters a scenario may state expectations about: every number or yes/no that
 * `countLayout` produces, nested ones spelt with a dot (`ledger.invalid_grant`). The list is
 * read off an empty journal's counters, so a counter added to counters.ts is expectable at once.
 */
export type CounterValue = number | boolean | null;

export function flattenCounters(counters: LayoutCounters): Record<string, CounterValue> {
  const flat: Record<string, CounterValue> = {};
  const visit = (value: unknown, prefix: string) => {
    // null: a measurement that had nothing to measure (no failure, so no time to recover).
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
      flat[prefix] = value;
      return;
    }
    if (typeof value !== 'object' || Array.isArray(value)) return;

    for (const [key, inner] of Object.entries(value)) visit(inner, prefix ? `${prefix}.${key}` : key);
  };
  visit(counters, '');
  return flat;
}

/** Real clients' counters (`real.max_posts_per_generation`) are expectable too. */
const EMPTY: LayoutCounters = { ...countLayout([], 'legacy'), real: countRealClients([], 'legacy', 0) };

export const COUNTER_NAMES = Object.keys(flattenCounters(EMPTY)) as [string, ...string[]];

/**
 * Counters that are maps keyed by what happened (`ledger.faults_injected.error-after-commit`):
 * any key under them may be expected, and a key the run never produced reads as 0.
 */
export const COUNTER_MAPS: readonly string[] = findMaps(EMPTY, '');

function findMaps(value: unknown, prefix: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];

  const entries = Object.entries(value);
  if (entries.length === 0 && prefix) return [prefix];
  return entries.flatMap(([key, inner]) => findMaps(inner, prefix ? `${prefix}.${key}` : key));
}

export function isCounterName(name: string): boolean {
  return COUNTER_NAMES.includes(name) || COUNTER_MAPS.some((map) => name.startsWith(`${map}.`) && name.length > map.length + 1);
}

/** The observed value of a counter; keys a counter map never produced count 0. */
export function observedCounter(flat: Readonly<Record<string, CounterValue>>, name: string): CounterValue | undefined {
  if (name in flat) return flat[name];
  return COUNTER_MAPS.some((map) => name.startsWith(`${map}.`)) ? 0 : undefined;
}
