import ms from 'ms';
import { z } from 'zod';

/**
 * Durations, wherever a person writes one (a flag, a scenario file): a number of milliseconds,
 * or a string such as "4s", "1500ms", "2m" (parsed by `ms`). Out-of-range values are refused.
 */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);

  const parsed = ms(value as ms.StringValue) as number | undefined;
  return typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : null;
}

/** A zod schema for a duration between `minimumMs` and `maximumMs`, yielding milliseconds. */
export function durationSchema(minimumMs: number, maximumMs: number) {
  const expected = `expected a duration from ${ms(minimumMs)} to ${ms(maximumMs)}, such as "4s" or 1500`;
  return z
    .union([z.number(), z.string()], { error: expected })
    .transform((value, context) => {
      const parsed = parseDuration(value);
      if (parsed === null || parsed < minimumMs || parsed > maximumMs) {
        context.addIssue({
          code: 'custom',
          message: expected,
        });
        return z.NEVER;
      }
      return parsed;
    });
}
