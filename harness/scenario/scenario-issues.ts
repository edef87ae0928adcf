import type { z } from 'zod';

/**
 * Turns zod's issues into the harness's one-line refusal: `<where>: got <value>, expected ...`.
 * `where` is a JSON path into the file (`$.client.stale`, `$.layouts[1]`). Sections adopted from
 * other modules may use zod's own wording; `expectedText` rephrases those issues by their code.
 */
export interface ScenarioIssue {
  path: string;
  got: string;
  expected: string;
}

export function describeIssue(issue: z.core.$ZodIssue, input: unknown): ScenarioIssue {
  const segments = [...issue.path];
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) segments.push(issue.keys[0]);

  return {
    path: jsonPath(segments),
    // A value the file never gave (a default refused by a cross-field rule) comes with the issue.
    got: showValue(valueAt(input, segments) ?? (issue as { input?: unknown }).input),
    expected: expectedText(issue),
  };
}

export function formatIssue(issue: ScenarioIssue): string {
  return `${issue.path}: got ${issue.got}, ${issue.expected}`;
}

/** `$.expect.legacy["ledger.refresh_ok"]`, `$.layouts[0]` */
export function jsonPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((path, segment) => {
    if (typeof segment === 'number') return `${path}[${segment}]`;
    const key = String(segment);
    return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
  }, '$');
}

function valueAt(input: unknown, segments: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment as string];
  }
  return value;
}

function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const shown = JSON.stringify(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

function expectedText(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('expected ')) return issue.message;
  if (issue.code === 'invalid_key' && issue.issues[0]) return expectedText(issue.issues[0] as z.core.$ZodIssue);
  if (issue.code === 'unrecognized_keys' && issue.path[0] === 'expect' && issue.path.length === 2) {
    return 'expected a counter name (listed in scenarios/schema.json)';
  }

  switch (issue.code) {
    case 'unrecognized_keys':
      return 'expected no such field (a typo?)';
    case 'invalid_type':
      return `expected ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
      return `expected ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}`;
    case 'too_big':
      return `expected ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`;
    default:
      return `expected ${issue.message.replace(/^Invalid input:?\s*/i, '') || 'a valid value'}`;
  }
}
