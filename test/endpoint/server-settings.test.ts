import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_SETTINGS, serverSettingsSchema } from '../../harness/endpoint/server-settings.js';

function issuesOf(input: unknown): Array<[string, unknown]> {
  const parsed = serverSettingsSchema.safeParse(input);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => [issue.path.join('.'), issue.code]);
}

describe('server settings', () => {
  it('default to the strict server', () => {
    expect(serverSettingsSchema.parse({})).toEqual(DEFAULT_SERVER_SETTINGS);
    expect(DEFAULT_SERVER_SETTINGS).toMatchObject({
      reuse: 'strict',
      grace: { window: 0, maxReuse: null },
      revokeAccessOnRefresh: false,
      rateLimit: null,
      rotation: 'atomic',
      faults: [],
    });
  });

  it('read durations as milliseconds or as strings', () => {
    const parsed = serverSettingsSchema.parse({
      grace: { window: '2s' },
      rateLimit: { requests: 4, window: 250 },
      faults: [{ kind: 'hang', hold: '1m' }],
    });

    expect(parsed.grace.window).toBe(2000);
    expect(parsed.rateLimit).toEqual({ requests: 4, window: 250 });
    expect(parsed.faults[0]).toEqual({ kind: 'hang', hold: 60_000, phase: 'after-commit' });
  });

  it('refuse an unknown policy, a negative count, a wrong type and unknown keys, by path', () => {
    expect(issuesOf({ reuse: 'revoke-all' })).toEqual([['reuse', 'invalid_value']]);
    expect(issuesOf({ rateLimit: { requests: -1, window: '1s' } })).toEqual([['rateLimit.requests', 'too_small']]);
    expect(issuesOf({ revokeAccessOnRefresh: 'yes' })).toEqual([['revokeAccessOnRefresh', 'invalid_type']]);
    expect(issuesOf({ grace: { windowMs: 5 } })).toEqual([['grace', 'unrecognized_keys']]);
    expect(issuesOf({ faults: [{ kind: 'explode' }] })).toEqual([['faults.0.kind', 'invalid_union']]);
  });

  it('refuse a fault with two triggers, or percentiles out of order', () => {
    const twoTriggers = { kind: 'reset', every: 2, first: 3 };
    const inverted = { kind: 'latency', distribution: 'lognormal', p50: 100, p99: 50 };

    expect(issuesOf({ faults: [twoTriggers] })).toEqual([['faults.0.first', 'custom']]);
    expect(issuesOf({ faults: [inverted] })).toEqual([['faults.0.p99', 'custom']]);
    expect(issuesOf({ faults: [{ kind: 'error', status: 404 }] })).toEqual([['faults.0.status', 'too_small']]);
  });
});
