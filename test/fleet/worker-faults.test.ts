import { describe, expect, it } from 'vitest';
import { resolveWorkerFaults } from '../../harness/fleet/worker-faults.js';
import { eventsOf, runFleet } from '../helpers/fleet.js';

// Short lock timings (proper-lockfile's minimum stale of 2 s) so each fault plays out in seconds.
const FAST_LOCK = { staleMs: 2000, updateMs: 1000 };

describe('worker faults', () => {
  it('refuses a fault with a negative count, naming its path', () => {
    expect(() => resolveWorkerFaults([{ kind: 'stall-holding-lock', stallMs: 100, times: -1 }])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', message: expect.stringMatching(/^workerFaults\.0\.times/) }),
    );
    expect(() => resolveWorkerFaults([{ kind: 'melt' }])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });

  it('a stall while holding the lock gets the lock stolen, onCompromised fired and a double POST', async () => {
    // Worker 1 refreshes first (larger margin), stalls holding the lock; worker 2 wants it next.
    const { counters, events } = await runFleet({
      workers: 2,
      durationMs: 4500,
      mix: [
        { workers: 1, client: { ...FAST_LOCK, label: 'staller', refreshMarginMs: 600 } },
        { workers: 1, client: { ...FAST_LOCK, label: 'other' } },
      ],
      workerFaults: [{ kind: 'stall-holding-lock', workers: [1], stallMs: 3000 }],
    });

    expect(counters.worker_faults).toBe(1);
    expect(counters.lock_steals).toBeGreaterThanOrEqual(1);
    expect(eventsOf(events, 'lock_compromised').some((event) => event.worker === 1)).toBe(true);
    // The staller woke up and spent the token it had read before the thief rotated it.
    expect(eventsOf(events, 'invalid_grant').some((event) => event.worker === 1)).toBe(true);
  });

  it('a SIGKILL while holding the lock orphans it: nobody refreshes until it is stale', async () => {
    const { counters, events } = await runFleet({
      workers: 3,
      durationMs: 5000,
      client: { ...FAST_LOCK, lockRetries: 4, lockRetryMinMs: 100, lockRetryMaxMs: 200 },
      workerFaults: [{ kind: 'kill-holding-lock', workers: [2] }],
    });

    const kill = eventsOf(events, 'worker_fault').find((event) => event.kind === 'kill-holding-lock');
    expect(kill).toBeDefined();
    expect(counters.kills).toBe(1);
    expect(counters.restarts).toBe(1);
    expect(counters.lock_steals).toBe(0);
    expect(counters.lock_timeout).toBeGreaterThan(0);
    const nextRefresh = eventsOf(events, 'refresh_ok').find((event) => event.t > kill!.t);
    expect(nextRefresh!.t - kill!.t).toBeGreaterThanOrEqual(FAST_LOCK.staleMs - 100);
    // Recovery counts from the first failure (a lock timeout, some retries after the kill), so
    // it is shorter than stale; the line above holds the kill-to-refresh gap to stale.
    expect(counters.time_to_recover_ms).toBeGreaterThan(0);
    // The restarted client said so.
    expect(eventsOf(events, 'session_start').some((event) => event.worker === 2 && event.restart === 1)).toBe(true);
  });

  it('a killed client that is not restarted is counted, not brought back', async () => {
    const { counters } = await runFleet({
      workers: 2,
      durationMs: 1500,
      workerFaults: [{ kind: 'kill-holding-lock', workers: [1], restart: false }],
    });

    expect(counters.kills).toBe(1);
    expect(counters.restarts).toBe(0);
  });

  it('a SIGKILL between the token response and the write loses the rotation', async () => {
    // Worker 1 refreshes first (larger margin) and dies before writing what it got.
    const { counters } = await runFleet({
      workers: 3,
      durationMs: 4000,
      mix: [
        { workers: 1, client: { ...FAST_LOCK, label: 'first', refreshMarginMs: 600 } },
        { workers: 2, client: FAST_LOCK },
      ],
      workerFaults: [{ kind: 'kill-before-write', workers: [1] }],
    });

    expect(counters.kills).toBe(1);
    // The server rotated; the store still holds the spent token, and the next refresher pays
    // (once the killed holder's lock is stale).
    expect(counters.ledger.refresh_ok).toBe(counters.refresh_ok + 1);
    expect(counters.invalid_grant).toBeGreaterThanOrEqual(1);
  });

  it('a lock dir removed while held lets another worker in while the holder still works', async () => {
    // Worker 1 takes the lock first and POSTs slowly; the others want it while it does.
    const { counters } = await runFleet({
      workers: 3,
      refreshLatencyMs: 600,
      mix: [
        { workers: 1, client: { label: 'holder', refreshMarginMs: 600 } },
        { workers: 2, client: {} },
      ],
      workerFaults: [{ kind: 'remove-lock-while-held', workers: [1], afterMs: 0 }],
    });

    expect(counters.worker_faults).toBe(1);
    expect(counters.lock_steals).toBeGreaterThanOrEqual(1);
  });

  it('a lock dated in the future blocks every refresh for its lead plus stale', async () => {
    const aheadMs = 1000;
    const { counters, events } = await runFleet({
      workers: 2,
      durationMs: 4000,
      client: FAST_LOCK,
      workerFaults: [{ kind: 'future-lock', aheadMs }],
    });

    const planted = eventsOf(events, 'worker_fault').filter((event) => event.kind === 'future-lock');
    expect(planted.length).toBeGreaterThan(0);
    const firstRefresh = eventsOf(events, 'refresh_ok')[0];
    expect(firstRefresh!.t - planted[0]!.t).toBeGreaterThanOrEqual(aheadMs + FAST_LOCK.staleMs - 200);
    expect(counters.lock_steals).toBe(0);
  });

  it('a container whose clock runs behind keeps using an expired token and gets 401s', async () => {
    // The store is seeded on the true clock; a client 2 s behind thinks its token has 2 s more.
    const behind = [{ kind: 'clock-offset', workers: [1], offsetMs: -2000 }];
    const run = (client: object, workerFaults: object[]) => runFleet({ workers: 1, durationMs: 3000, client, workerFaults });
    const skewed = await run({ on401: 'reread' }, behind);
    const refreshing = await run({ on401: 'refresh' }, behind);
    const onTime = await run({}, []);

    expect(onTime.counters.api_unauthorized).toBe(0);
    expect(skewed.counters.api_unauthorized).toBeGreaterThanOrEqual(5);
    expect(eventsOf(skewed.events, 'session_start')[0]!.clockOffsetMs).toBe(-2000);
    // Refreshing on 401 ends the run of 401s at once; re-reading the same store does not.
    expect(refreshing.counters.api_unauthorized).toBeLessThanOrEqual(2);
    expect(refreshing.counters.api_unauthorized * 3).toBeLessThan(skewed.counters.api_unauthorized);
  });
});
