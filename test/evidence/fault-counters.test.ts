import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countClientFaults, countSteals } from '../../harness/evidence/fault-counters.js';
import { FaultPlan, resolveWorkerFaults } from '../../harness/fleet/worker-faults.js';
import type { JournalEvent } from '../../harness/journal/events.js';

const base = { layout: 'shared' as const };
const acquired = (t: number, worker: number, lockLocation = '1:2/config.lock'): JournalEvent => ({
  ...base, t, worker, type: 'lock_acquired', lockPath: '/x/config.lock', lockLocation, waitedMs: 0,
});
const released = (t: number, worker: number): JournalEvent => ({
  ...base, t, worker, type: 'lock_released', lockPath: '/x/config.lock', lockLocation: '1:2/config.lock', heldMs: 0,
});

describe('fault counters', () => {
  it('counts a lock taken while its holder still holds it as a steal', () => {
    expect(countSteals([acquired(0, 1), acquired(10, 2), released(20, 1)])).toBe(1);
    expect(countSteals([acquired(0, 1), released(5, 1), acquired(10, 2)])).toBe(0);
    expect(countSteals([acquired(0, 1), acquired(10, 2, '9:9/other.lock')])).toBe(0);
  });

  it('does not count taking over the lock of a killed holder as a steal', () => {
    const kill: JournalEvent = { ...base, t: 5, worker: 1, type: 'worker_fault', kind: 'kill-holding-lock' };
    expect(countSteals([acquired(0, 1), kill, acquired(2000, 2)])).toBe(0);
  });

  it('measures recovery from a worker\'s first failure to its next success', () => {
    const events: JournalEvent[] = [
      { ...base, t: 100, worker: 1, type: 'invalid_grant', presented: 'a', latencyMs: 1 },
      { ...base, t: 150, worker: 1, type: 'refresh_error', presented: 'a', status: 500, error: 'x' },
      { ...base, t: 400, worker: 1, type: 'api_ok', latencyMs: 1 },
      { ...base, t: 500, worker: 2, type: 'lock_retry_limit_reached', lockPath: 'l', attempts: 3 },
    ];
    const counters = countClientFaults(events);

    expect(counters.time_to_recover_ms).toBe(300);
    expect(counters.unrecovered).toBe(1);
    expect(counters.lock_timeout).toBe(1);
    expect(countClientFaults([]).time_to_recover_ms).toBeNull();
  });
});

describe('fault plan', () => {
  it('fires each fault its number of times across restarts of the container', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tokenrace-faultplan-'));
    try {
      const faults = resolveWorkerFaults([{ kind: 'kill-holding-lock', times: 2 }, { kind: 'stall-holding-lock', stallMs: 5 }]);
      const state = path.join(dir, 'w1.json');
      const firstLife = new FaultPlan(faults, state);
      expect(firstLife.take('kill-holding-lock')).not.toBeNull();

      const secondLife = new FaultPlan(faults, state);
      expect(secondLife.take('kill-holding-lock')).not.toBeNull();
      expect(new FaultPlan(faults, state).take('kill-holding-lock')).toBeNull();
      expect(secondLife.take('stall-holding-lock')).not.toBeNull();
      expect(secondLife.take('stall-holding-lock')).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
