import { z } from 'zod';
import { durationSchema } from './duration.js';

/**
 * Field builders shared by the scenario schema and every section adopted into it. Each carries
 * one "expected ..." text for all of its checks, so a refusal reads the same whether the value
 * came from a flag or from a file: `<where>: got <value>, expected <this>`.
 */

/** Milliseconds: every duration field holds this once validated (files may write "4s"). */
export type Milliseconds = number;

export function wholeNumber(minimum: number, maximum: number) {
  const error = `expected a whole number from ${minimum} to ${maximum}`;
  return z.int({ error }).min(minimum, { error }).max(maximum, { error });
}

/** A duration from `minimumMs` to `maximumMs`, written as 1500 or "1.5s"; yields milliseconds. */
export function duration(minimumMs: Milliseconds, maximumMs: Milliseconds) {
  return durationSchema(minimumMs, maximumMs);
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.join(', ')}` });
}

export function yesNo() {
  return z.boolean({ error: 'expected true or false' });
}
