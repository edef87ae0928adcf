import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFRESH_TOKEN_PREFIX, TokenRegistry } from '../harness/endpoint/token-registry.js';

/**
 * Model-based properties of the rotation state machine (policy `strict`): random sequences of
 * logins, redeems of the live token, replays of spent ones, unknown tokens and clock steps are
 * run against the registry and a plain model of what strict rotation allows.
 */
type Action =
  | { kind: 'login' }
  | { kind: 'redeem_live'; family: number }
  | { kind: 'replay'; family: number; pick: number }
  | { kind: 'unknown'; token: string }
  | { kind: 'access'; family: number; stale: boolean }
  | { kind: 'tick'; ms: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'login' as const }), weight: 1 },
  { arbitrary: fc.nat(20).map((family) => ({ kind: 'redeem_live' as const, family })), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('replay' as const), family: fc.nat(20), pick: fc.nat(50) }), weight: 3 },
  { arbitrary: fc.string({ maxLength: 30 }).map((token) => ({ kind: 'unknown' as const, token })), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('access' as const), family: fc.nat(20), stale: fc.boolean() }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 400 }).map((ms) => ({ kind: 'tick' as const, ms })), weight: 1 },
);

interface FamilyModel {
  live: string;
  spent: string[];
  access: string[];
  generation: number;
}

interface Tally {
  attempts: number;
  ok: number;
  refused: number;
}

const TTL_MS = 1_000;

function runActions(actions: readonly Action[]) {
  let now = 0;
  const registry = new TokenRegistry({ accessTtlMs: TTL_MS, now: () => now });
  const families: FamilyModel[] = [];
  const issued = new Set<string>();
  const tally: Tally = { attempts: 0, ok: 0, refused: 0 };
  const issuedAt = new Map<string, number>();

  const remember = (...tokens: string[]) => {
    for (const token of tokens) {
      expect(issued.has(token)).toBe(false);
      issued.add(token);
      issuedAt.set(token, now);
    }
  };
  const login = () => {
    const pair = registry.login();
    expect(pair.family).toBe(families.length + 1);
    expect(pair.generation).toBe(0);
    remember(pair.refreshToken, pair.accessToken);
    families.push({ live: pair.refreshToken, spent: [], access: [pair.accessToken], generation: 0 });
  };

  login();
  for (const step of actions) {
    if (step.kind === 'login') login();
    if (step.kind === 'tick') now += step.ms;
    if (step.kind === 'redeem_live') {
      const family = families[step.family % families.length]!;
      const result = registry.redeem(family.live);
      tally.attempts += 1;
      expect(result.status).toBe('ok');
      if (result.status !== 'ok') continue;
      tally.ok += 1;
      expect(result.pair.family).toBe(families.indexOf(family) + 1);
      expect(result.pair.generation).toBe(family.generation + 1);
      remember(result.pair.refreshToken, result.pair.accessToken);
      family.spent.push(family.live);
      family.live = result.pair.refreshToken;
      family.access.push(result.pair.accessToken);
      family.generation += 1;
    }
    if (step.kind === 'replay') {
      const family = families[step.family % families.length]!;
      if (family.spent.length === 0) continue;
      const result = registry.redeem(family.spent[step.pick % family.spent.length]!);
      tally.attempts += 1;
      tally.refused += result.status === 'invalid_grant' ? 1 : 0;
      expect(result).toMatchObject({ status: 'invalid_grant', reason: 'reused', family: families.indexOf(family) + 1 });
    }
    if (step.kind === 'unknown') {
      const result = registry.redeem(REFRESH_TOKEN_PREFIX + step.token);
      tally.attempts += 1;
      tally.refused += result.status === 'invalid_grant' ? 1 : 0;
      expect(result).toMatchObject({ status: 'invalid_grant', reason: 'unknown', family: null });
    }
    if (step.kind === 'access') {
      const family = families[step.family % families.length]!;
      const token = step.stale ? family.access[0]! : family.access.at(-1)!;
      const fresh = now < issuedAt.get(token)! + TTL_MS;
      const check = registry.checkAccess(token);
      expect(check.status).toBe(fresh ? 'ok' : 'unauthorized');
    }
  }
  return { registry, families, issued, tally };
}

describe('the strict rotation state machine', () => {
  it('never issues the same token twice and lets only the live token of a family redeem', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 120 }), (actions) => {
        const { registry, families } = runActions(actions);

        // At most one live refresh token per family: of every token a family was ever given,
        // exactly one still redeems, and it is the newest.
        for (const family of families) {
          const winners = [...family.spent, family.live].filter((token) => registry.redeem(token).status === 'ok');
          expect(winners).toEqual([family.live]);
        }
      }),
      { numRuns: 300, seed: 6 },
    );
  });

  it('counts add up: every redeem is either a rotation or a refusal, and families equal logins', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 120 }), (actions) => {
        const { registry, families, issued, tally } = runActions(actions);

        expect(tally.ok + tally.refused).toBe(tally.attempts);
        expect(registry.familyCount).toBe(families.length);
        const rotations = families.reduce((sum, family) => sum + family.generation, 0);
        expect(rotations).toBe(tally.ok);
        // Two tokens (refresh and access) per login and per rotation, all distinct.
        expect(issued.size).toBe(2 * (families.length + tally.ok));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('refuses a replayed token however many times it is presented, and the live token survives it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), (replays) => {
        const registry = new TokenRegistry({ accessTtlMs: TTL_MS });
        const first = registry.login();
        const second = registry.redeem(first.refreshToken);
        if (second.status !== 'ok') throw new Error('first rotation refused');

        for (let attempt = 0; attempt < replays; attempt += 1) {
          expect(registry.redeem(first.refreshToken).status).toBe('invalid_grant');
        }
        expect(registry.redeem(second.pair.refreshToken).status).toBe('ok');
      }),
      { numRuns: 50, seed: 8 },
    );
  });
});
