import { z } from 'zod';

/**
 * What a scenario expects of one counter. The grammar is deliberately small, so a reader of a
 * scenario file never has to guess what a line means:
 *
 *   7  or "7"        exactly 7
 *   ">0"  ">=3"      more than 0, at least 3
 *   "<5"  "<=5"      fewer than 5, at most 5
 *   "2..9"           from 2 to 9, both included
 *   true / false     a yes/no counter (such as `ledger_agrees`) is exactly that
 *
 * Numbers may be fractional ("<=0.5") for counters that are ratios or times.
 */
export type Expectation =
  | { op: '=='; value: number | boolean }
  | { op: '>' | '>=' | '<' | '<='; value: number }
  | { op: 'range'; min: number; max: number };

/** The written form, as it appears in a scenario file. */
export type ExpectationText = number | boolean | string;

const NUMBER = String.raw`\d+(?:\.\d+)?`;
const COMPARISON = new RegExp(`^(>=|<=|>|<)\\s*(${NUMBER})$`);
const RANGE = new RegExp(`^(${NUMBER})\\s*\\.\\.\\s*(${NUMBER})$`);
const EXACT = new RegExp(`^(${NUMBER})$`);

export const EXPECTATION_GRAMMAR = 'a number, ">N", ">=N", "<N", "<=N", "A..B" (A <= B), or true/false';

/** Parses the written form; null when it is not in the grammar. */
export function parseExpectation(text: ExpectationText): Expectation | null {
  if (typeof text === 'boolean') return { op: '==', value: text };
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? { op: '==', value: text } : null;

  const trimmed = text.trim();
  const exact = EXACT.exec(trimmed);
  if (exact) return { op: '==', value: Number(exact[1]) };

  const comparison = COMPARISON.exec(trimmed);
  if (comparison) return { op: comparison[1] as '>' | '>=' | '<' | '<=', value: Number(comparison[2]) };

  const range = RANGE.exec(trimmed);
  if (!range) return null;

  const [min, max] = [Number(range[1]), Number(range[2])];
  return min <= max ? { op: 'range', min, max } : null;
}

/** The canonical written form, for tables: `0`, `>0`, `2..9`, `true`. */
export function formatExpectation(expectation: Expectation): string {
  if (expectation.op === 'range') return `${expectation.min}..${expectation.max}`;
  if (expectation.op === '==') return String(expectation.value);
  return `${expectation.op}${expectation.value}`;
}

/** Does an observed value meet the expectation? A boolean never meets a number, nor the reverse. */
export function meetsExpectation(expectation: Expectation, observed: number | boolean): boolean {
  if (expectation.op === '==') return observed === expectation.value;
  if (typeof observed !== 'number') return false;

  switch (expectation.op) {
    case '>':
      return observed > expectation.value;
    case '>=':
      return observed >= expectation.value;
    case '<':
      return observed < expectation.value;
    case '<=':
      return observed <= expectation.value;
    case 'range':
      return observed >= expectation.min && observed <= expectation.max;
  }
}

/** The zod schema of one written expectation; it stays in its written form once validated. */
export const expectationSchema = z
  .union([z.number(), z.boolean(), z.string()], { error: `expected ${EXPECTATION_GRAMMAR}` })
  .refine((text) => parseExpectation(text) !== null, { error: `expected ${EXPECTATION_GRAMMAR}` })
  .meta({ description: `What the counter must be: ${EXPECTATION_GRAMMAR}` });
