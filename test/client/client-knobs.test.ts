import { describe, expect, it } from 'vitest';
import { eventsOf, runFleet } from '../helpers/fleet.js';

// Real processes, real locks, real HTTP: each run is a couple of seconds with 2-4 workers.
describe('client knobs', () => {
  it('no lock loses sessions where the beside lock in the shared layout loses none', async () => {
    const unlocked = await runFleet({ workers: 4, client: { profile: 'no-lock' } });
    const locked = await runFleet({ workers: 4, client: { profile: 'beside-only' } });

    expect(unlocked.counters.invalid_grant).toBeGreaterThan(0);
    expect(unlocked.counters.lock_locations).toBe(0);
    expect(locked.counters.invalid_grant).toBe(0);
    expect(locked.counters.race_resolved).toBeGreaterThan(0);
  });

  it('a shared lock without a re-read after locking still loses sessions', async () => {
    const { counters } = await runFleet({ workers: 4, client: { rereadAfterLock: false } });

    expect(counters.lock_locations).toBe(1);
    expect(counters.race_resolved).toBe(0);
    expect(counters.invalid_grant).toBeGreaterThan(0);
  });

  it('the inside lock serialises the legacy layout, the beside one does not', async () => {
    const inside = await runFleet({ layout: 'legacy', workers: 3, client: { lockPlacement: 'inside' } });
    const both = await runFleet({ layout: 'legacy', workers: 3, client: { profile: 'inside-and-beside', lockRetryMinMs: 10, lockRetryMaxMs: 60, lockRetries: 40 } });

    expect(inside.counters.lock_locations).toBe(1);
    expect(inside.counters.invalid_grant).toBe(0);
    // One inside lock in the shared dir, plus a beside lock in each container's own $HOME.
    expect(both.counters.lock_locations).toBe(4);
    expect(both.counters.invalid_grant).toBe(0);
  });

  it('a token read once is kept in memory: a late worker takes the lock to find it refreshed', async () => {
    // Worker 1 refreshes early; worker 2, with a later margin, finds the store already fresh,
    // unless it never looks at the store again.
    const fleet = (tokenRead: string) => [
      { workers: 1, client: { label: 'early', refreshMarginMs: 600, tokenRead } },
      { workers: 1, client: { label: 'late', refreshMarginMs: 100, tokenRead } },
    ];
    const once = await runFleet({ workers: 2, mix: fleet('once') });
    const eachUse = await runFleet({ workers: 2, mix: fleet('each-use') });

    expect(once.counters.invalid_grant).toBe(0);
    expect(once.counters.race_resolved).toBeGreaterThan(0);
    expect(eachUse.counters.race_resolved).toBe(0);
  });

  it('in-place writes are seen torn by readers; atomic writes never are', async () => {
    const fleet = (writeMode: string) => [
      { workers: 1, client: { label: 'writer', refreshMarginMs: 600, writeMode, inPlaceGapMs: 150 } },
      { workers: 3, client: { label: 'reader', refreshMarginMs: 100 } },
    ];
    const inPlace = await runFleet({ workers: 4, mix: fleet('in-place') });
    const atomic = await runFleet({ workers: 4, mix: fleet('atomic') });

    expect(inPlace.counters.torn_reads).toBeGreaterThan(0);
    expect(atomic.counters.torn_reads).toBe(0);
  });

  it('reacts to invalid_grant as told: log out, or adopt the token found in the store', async () => {
    // Worker 1 refreshes first; worker 2 kept the first token in memory and spends it late.
    const fleet = (onInvalidGrant: string) => [
      { workers: 1, client: { profile: 'no-lock', label: 'first', refreshMarginMs: 600 } },
      // No re-read before the refresh either: with no lock, that re-read would adopt the token.
      { workers: 1, client: { profile: 'no-lock', label: 'late', tokenRead: 'once', rereadAfterLock: false, onInvalidGrant } },
    ];
    const logout = await runFleet({ workers: 2, mix: fleet('logout') });
    expect(logout.counters.clients?.late?.invalid_grant).toBeGreaterThan(0);
    expect(logout.counters.logged_out).toBe(1);
    expect(logout.counters.relogins).toBe(0);

    const adopt = await runFleet({ workers: 2, mix: fleet('reread-and-adopt') });
    expect(adopt.counters.tokens_adopted).toBeGreaterThan(0);
    expect(adopt.counters.logged_out).toBe(0);
  });

  it('wipes the store on invalid_grant only while it still holds the dead token', async () => {
    // Worker 1 dies between the token response and the write: the store keeps a spent token.
    const { counters } = await runFleet({
      workers: 2,
      mix: [
        { workers: 1, client: { profile: 'no-lock', label: 'first', refreshMarginMs: 600 } },
        { workers: 1, client: { profile: 'no-lock', label: 'wiper', onInvalidGrant: 'wipe-store' } },
      ],
      workerFaults: [{ kind: 'kill-before-write', workers: [1] }],
    });

    expect(counters.stores_wiped).toBe(1);
    expect(counters.logged_out).toBe(1);
  });

  it('a larger refresh margin refreshes more often', async () => {
    const early = await runFleet({ workers: 1, client: { refreshMarginMs: 900 } });
    const late = await runFleet({ workers: 1, client: { refreshMarginMs: 100 } });

    expect(early.counters.refresh_ok).toBeGreaterThan(late.counters.refresh_ok * 2);
  });

  it('gives up a refresh the endpoint answers slower than the request timeout', async () => {
    const { counters } = await runFleet({ workers: 1, durationMs: 1500, refreshLatencyMs: 400, client: { requestTimeoutMs: 100 } });

    expect(counters.refresh_ok).toBe(0);
    expect(eventsOf((await runFleet({ workers: 1, durationMs: 1500, refreshLatencyMs: 400 })).events, 'refresh_ok').length).toBeGreaterThan(0);
  });

  it('two different clients in one fleet are told apart in events and counters', async () => {
    const mix = [
      { workers: 2, client: {} },
      { workers: 1, client: { profile: 'no-lock', label: 'helper' } },
    ];
    const { counters, events } = await runFleet({ workers: 3, mix });

    expect(Object.keys(counters.clients ?? {}).sort()).toEqual(['beside-only', 'helper']);
    expect(counters.clients?.helper?.workers).toBe(1);
    const starts = eventsOf(events, 'session_start');
    expect(starts.find((event) => event.worker === 3)?.client).toBe('helper');
    expect(starts.find((event) => event.worker === 1)?.client).toBe('beside-only');
  });
});
