import type { LayoutName } from '../journal/events.js';
import { flattenCounters, observedCounter, type CounterValue } from '../scenario/counter-names.js';
import { formatExpectation, meetsExpectation, parseExpectation, type ExpectationText } from '../scenario/expectation.js';
import type { LayoutCounters } from './counters.js';
import type { VerdictResult } from './verdict.js';

/**
 * A scenario's `expect` against what its layouts produced: one check per layout and counter,
 * and a verdict. Every expectation met → pass; any unmet → fail; a layout that did not run (an
 * interrupted run) → inconclusive; no expectation at all → inconclusive, as nothing was claimed.
 */
export interface ExpectationCheck {
  layout: LayoutName;
  counter: string;
  expected: string;
  /** What the counter read; null also for a measurement with nothing to measure. */
  observed: CounterValue;
  /** false when the layout did not run (an interrupted run): nothing was observed. */
  ran: boolean;
  met: boolean;
}

export type ExpectSection = Partial<Record<LayoutName, Partial<Record<string, ExpectationText>>>>;

export function checkExpectations(
  expect: ExpectSection,
  layouts: Partial<Record<LayoutName, LayoutCounters>>,
): ExpectationCheck[] {
  const checks: ExpectationCheck[] = [];
  for (const [layout, counters] of Object.entries(expect) as Array<[LayoutName, Record<string, ExpectationText>]>) {
    const observedCounters = layouts[layout];
    const flat = observedCounters ? flattenCounters(observedCounters) : null;
    for (const [counter, text] of Object.entries(counters)) {
      const expectation = parseExpectation(text);
      // The schema refuses what does not parse; this guards a hand-built object.
      if (!expectation) throw new Error(`expectation ${layout}.${counter} is not in the grammar: ${String(text)}`);

      const observed = flat ? (observedCounter(flat, counter) ?? null) : null;
      const met = observed !== null && meetsExpectation(expectation, observed);
      checks.push({ layout, counter, expected: formatExpectation(expectation), observed, ran: flat !== null, met });
    }
  }
  return checks;
}

export function judgeExpectations(checks: readonly ExpectationCheck[]): VerdictResult {
  if (checks.length === 0) return { verdict: 'inconclusive', reasons: ['the scenario states no expectation'] };

  const missing = checks.filter((check) => !check.ran);
  if (missing.length > 0) {
    return { verdict: 'inconclusive', reasons: [`${missing[0]!.layout}: did not run, so nothing was observed`] };
  }
  const unmet = checks.filter((check) => !check.met);
  if (unmet.length === 0) return { verdict: 'pass', reasons: [`all ${checks.length} expectations met`] };

  return {
    verdict: 'fail',
    reasons: unmet.map((check) => `${check.layout}: ${check.counter} = ${String(check.observed)}, expected ${check.expected}`),
  };
}
