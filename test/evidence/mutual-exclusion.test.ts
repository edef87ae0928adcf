import { describe, expect, it } from 'vitest';
import { checkMutualExclusion } from '../../harness/evidence/mutual-exclusion.js';
import { at, byTime, lockedRefresh } from '../helpers/history.js';

describe('checkMutualExclusion', () => {
  it('passes holders of one lock that take turns', () => {
    const history = byTime(lockedRefresh(0, 1, 'L', 'a', 'b'), lockedRefresh(20, 2, 'L', 'b', 'c'));

    const result = checkMutualExclusion(history, { coordinates: true });

    expect(result.status).toBe('pass');
    expect(result.checked).toBe(2);
    expect(result.violations).toBe(0);
  });

  it('fails two holders of one lock at once and shows the events around the first overlap', () => {
    const history = byTime(lockedRefresh(0, 1, 'L', 'a', 'b'), lockedRefresh(4, 2, 'L', 'a', 'c'));

    const result = checkMutualExclusion(history, { coordinates: false });

    expect(result.status).toBe('fail');
    expect(result.violations).toBe(1);
    expect(result.first_violation?.t).toBe(5);
    expect(result.first_violation?.events.some((event) => event.type === 'lock_acquired')).toBe(true);
  });

  it('counts overlapping holds of different locations only where the layout means to coordinate', () => {
    const history = byTime(lockedRefresh(0, 1, 'L1', 'a', 'b'), lockedRefresh(3, 2, 'L2', 'a', 'c'));

    expect(checkMutualExclusion(history, { coordinates: true }).violations).toBe(1);
    expect(checkMutualExclusion(history, { coordinates: false }).status).toBe('pass');
  });

  it('ends a hold at lock_releasing, so a successor right after the release is no overlap', () => {
    // Worker 1 says it is letting go at t=8 and reports the release at t=10; worker 2 takes the
    // lock at t=9. The release report's delay must not read as two holders.
    const history = byTime(lockedRefresh(0, 1, 'L', 'a', 'b'), [
      at(8.5, 2, 'lock_acquiring', { lockPath: '/c.lock', planned: 'a' }),
      at(9, 2, 'lock_acquired', { lockPath: '/c.lock', lockLocation: 'L', waitedMs: 0.5 }),
      at(9.5, 2, 'lock_releasing', { lockPath: '/c.lock', lockLocation: 'L' }),
    ]);

    expect(checkMutualExclusion(history, { coordinates: true }).violations).toBe(0);
  });

  it('is inconclusive when no lock was ever held', () => {
    expect(checkMutualExclusion([], { coordinates: true }).status).toBe('inconclusive');
  });
});
