import { describe, expect, it } from 'vitest';
import { checkStoreConsistency } from '../../harness/evidence/store-consistency.js';
import { at, byTime, ledger, lockedRefresh } from '../helpers/history.js';

describe('checkStoreConsistency', () => {
  it('passes when the store holds the live token at every quiet point', () => {
    const history = byTime([ledger(0, 0, 'login_ok', { issued: 'a' })], lockedRefresh(10, 1, 'L', 'a', 'b'), lockedRefresh(30, 2, 'L', 'b', 'c'));

    const result = checkStoreConsistency(history);

    expect(result.status).toBe('pass');
    expect(result.checked).toBe(2);
  });

  it('fails when a late writer puts back a token the server has already rotated away', () => {
    const lateWrite = [
      at(50, 1, 'lock_acquiring', { lockPath: '/c.lock', planned: 'b' }),
      at(52, 1, 'refresh_ok', { presented: 'a', issued: 'b', latencyMs: 1 }),
      at(54, 1, 'lock_released', { lockPath: '/c.lock', lockLocation: 'L', heldMs: 2 }),
    ];
    const history = byTime([ledger(0, 0, 'login_ok', { issued: 'a' })], lockedRefresh(10, 1, 'L', 'a', 'b'), lockedRefresh(30, 2, 'L', 'b', 'c'), lateWrite);

    const result = checkStoreConsistency(history);

    expect(result.status).toBe('fail');
    expect(result.violations).toBe(1);
    expect(result.first_violation?.t).toBe(54);
  });

  it('does not judge a busy period in which two workers wrote', () => {
    const history = byTime([ledger(0, 0, 'login_ok', { issued: 'a' })], lockedRefresh(10, 1, 'L1', 'a', 'b'), lockedRefresh(12, 2, 'L2', 'a', 'c'));

    const result = checkStoreConsistency(history);

    expect(result.status).toBe('inconclusive');
    expect(result.checked).toBe(0);
  });
});
