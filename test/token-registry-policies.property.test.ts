import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REUSE_POLICIES, type ServerSettings } from '../harness/endpoint/server-settings.js';
import { TokenRegistry, type RegistryPolicy } from '../harness/endpoint/token-registry.js';

/**
 * Properties of the rotation state machine under every policy (strict, family revocation, a
 * grace window with or without a reuse cap, access revocation on refresh), with random
 * sequences of logins, redeems of any token ever issued, and clock steps. `check` is pure, so
 * "which tokens would rotate" can be asked of every token without spending any.
 */
type Step = { kind: 'login' } | { kind: 'redeem'; pick: number } | { kind: 'tick'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'login' as const }), weight: 1 },
  { arbitrary: fc.nat().map((pick) => ({ kind: 'redeem' as const, pick })), weight: 8 },
  { arbitrary: fc.integer({ min: 1, max: 300 }).map((ms) => ({ kind: 'tick' as const, ms })), weight: 2 },
);

const policy: fc.Arbitrary<RegistryPolicy> = fc.record({
  reuse: fc.constantFrom(...REUSE_POLICIES),
  grace: fc.record({
    window: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500 })),
    maxReuse: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 3 })),
  }),
  revokeAccessOnRefresh: fc.boolean(),
}) as fc.Arbitrary<Pick<ServerSettings, 'reuse' | 'grace' | 'revokeAccessOnRefresh'>>;

interface Issued {
  token: string;
  family: number;
  spentAt: number | null;
  successor: string | null;
  replays: number;
}

function play(rules: RegistryPolicy, steps: readonly Step[]) {
  let now = 0;
  const registry = new TokenRegistry({ accessTtlMs: 10_000, now: () => now, policy: rules });
  const refresh: Issued[] = [];
  const byToken = new Map<string, Issued>();
  const access = new Set<string>();
  const revoked = new Set<number>();
  const tally = { attempts: 0, ok: 0, refused: 0, rotations: 0 };

  const minted = (token: string, family: number) => {
    expect(byToken.has(token)).toBe(false);
    const entry = { token, family, spentAt: null, successor: null, replays: 0 };
    refresh.push(entry);
    byToken.set(token, entry);
  };
  const freshAccess = (token: string) => {
    expect(access.has(token)).toBe(false);
    access.add(token);
  };

  const first = registry.login();
  minted(first.refreshToken, first.family);
  freshAccess(first.accessToken);
  for (const action of steps) {
    if (action.kind === 'tick') now += action.ms;
    if (action.kind === 'login') {
      const pair = registry.login();
      minted(pair.refreshToken, pair.family);
      freshAccess(pair.accessToken);
    }
    if (action.kind !== 'redeem') continue;

    const presented = refresh[action.pick % refresh.length]!;
    const result = registry.redeem(presented.token);
    tally.attempts += 1;
    if (result.status === 'invalid_grant') {
      tally.refused += 1;
      if (result.revokedFamily) revoked.add(presented.family);
      continue;
    }
    tally.ok += 1;
    freshAccess(result.pair.accessToken);
    // A revoked family never redeems again.
    expect(revoked.has(presented.family)).toBe(false);
    if (presented.spentAt === null) {
      tally.rotations += 1;
      minted(result.pair.refreshToken, presented.family);
      presented.spentAt = now;
      presented.successor = result.pair.refreshToken;
      continue;
    }
    // A spent token succeeded: only as a grace replay, inside the window, within the cap,
    // and it hands out the successor already issued, never a new refresh token.
    expect(result.reason).toBe('grace_replay');
    expect(rules.grace.window).toBeGreaterThan(0);
    expect(now - presented.spentAt).toBeLessThanOrEqual(rules.grace.window);
    presented.replays += 1;
    if (rules.grace.maxReuse !== null) expect(presented.replays).toBeLessThanOrEqual(rules.grace.maxReuse);
    expect(result.pair.refreshToken).toBe(presented.successor);
    expect(byToken.get(presented.successor!)!.spentAt).toBeNull();
  }
  return { registry, refresh, tally, revoked, rules };
}

describe('the rotation state machine under every policy', () => {
  it('at most one refresh token per family would rotate; none in a revoked family', () => {
    fc.assert(
      fc.property(policy, fc.array(step, { maxLength: 150 }), (rules, steps) => {
        const { registry, refresh, revoked } = play(rules, steps);

        const rotating = new Map<number, number>();
        for (const entry of refresh) {
          if (registry.check(entry.token).action === 'rotate') rotating.set(entry.family, (rotating.get(entry.family) ?? 0) + 1);
        }
        for (const [family, count] of rotating) {
          expect(count).toBe(1);
          expect(revoked.has(family)).toBe(false);
        }
        for (const family of revoked) expect(rotating.has(family)).toBe(false);
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('strict without grace never lets a spent token succeed; revocation stops a family for good', () => {
    const noGrace = policy.map((rules) => ({ ...rules, grace: { window: 0, maxReuse: null } }));
    fc.assert(
      fc.property(noGrace, fc.array(step, { maxLength: 150 }), (rules, steps) => {
        const { refresh, tally } = play(rules, steps);

        // Without grace every success is a rotation of a live token: one new token per success.
        expect(tally.ok).toBe(tally.rotations);
        expect(refresh.length).toBe(1 + steps.filter((action) => action.kind === 'login').length + tally.rotations);
      }),
      { numRuns: 300, seed: 12 },
    );
  });

  it('counts add up: every redeem is a success or a refusal, and families equal logins', () => {
    fc.assert(
      fc.property(policy, fc.array(step, { maxLength: 150 }), (rules, steps) => {
        const { registry, tally } = play(rules, steps);

        expect(tally.ok + tally.refused).toBe(tally.attempts);
        expect(registry.familyCount).toBe(1 + steps.filter((action) => action.kind === 'login').length);
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it('family revocation revokes the access tokens of the family too', () => {
    const registry = new TokenRegistry({ accessTtlMs: 10_000, policy: { reuse: 'family-revocation', grace: { window: 0, maxReuse: null }, revokeAccessOnRefresh: false } });
    const first = registry.login();
    const second = registry.redeem(first.refreshToken);
    if (second.status !== 'ok') throw new Error('first rotation refused');

    expect(registry.redeem(first.refreshToken)).toMatchObject({ status: 'invalid_grant', revokedFamily: true });
    expect(registry.checkAccess(second.pair.accessToken)).toMatchObject({ status: 'unauthorized', reason: 'revoked' });
    expect(registry.redeem(second.pair.refreshToken)).toMatchObject({ status: 'invalid_grant', reason: 'revoked' });
  });
});
