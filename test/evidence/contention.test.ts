import { describe, expect, it } from 'vitest';
import { checkContention, refreshWindows, summarizeContention, upperBound95 } from '../../harness/evidence/contention.js';
import { at, byTime, lockedRefresh, refusedRefresh } from '../helpers/history.js';

describe('contention', () => {
  it('counts a window as contended when two workers set out to replace the same token', () => {
    const adopted = [
      at(1, 2, 'lock_acquiring', { lockPath: '/c.lock', planned: 'a' }),
      at(11, 2, 'lock_acquired', { lockPath: '/c.lock', lockLocation: 'L', waitedMs: 10 }),
      at(12, 2, 'lock_race_resolved', { planned: 'a', adopted: 'b' }),
      at(13, 2, 'lock_released', { lockPath: '/c.lock', lockLocation: 'L', heldMs: 1 }),
    ];
    const history = byTime(lockedRefresh(0, 1, 'L', 'a', 'b'), adopted, lockedRefresh(100, 1, 'L', 'b', 'c'));

    const windows = refreshWindows(history);
    const summary = summarizeContention(history);

    expect(windows.map((window) => [window.token, window.workers])).toEqual([['a', [1, 2]], ['b', [1]]]);
    expect(summary.contended_windows).toBe(1);
    expect(summary.failed_windows).toBe(0);
    expect(summary.failure_rate_upper_95).toBeCloseTo(0.95, 5);
  });

  it('marks the first contended window with an invalid_grant as the first failure', () => {
    const history = byTime(
      [at(0, 1, 'session_start', { pid: 1, configDir: '/c', lockPath: '/c.lock', home: '/h' })],
      lockedRefresh(100, 1, 'L1', 'a', 'b'),
      refusedRefresh(101, 2, 'L2', 'a', 'z'),
    );

    const summary = summarizeContention(history);

    expect(summary.first_failure_window).toBe(1);
    expect(summary.first_failure_ms).toBe(100);
    expect(summary.failure_rate_upper_95).toBeNull();
  });

  it('bounds the failure rate after 0 failures in n windows at 1 - 0.05^(1/n), near 3/n', () => {
    expect(upperBound95(1240)).toBeCloseTo(0.002413, 5);
    expect(upperBound95(100) * 100).toBeGreaterThan(2.9);
    expect(upperBound95(100) * 100).toBeLessThan(3);
  });

  it('is inconclusive below the minimum of contended windows', () => {
    const summary = summarizeContention(lockedRefresh(0, 1, 'L', 'a', 'b'));

    expect(checkContention(summary, 1).status).toBe('inconclusive');
  });
});
