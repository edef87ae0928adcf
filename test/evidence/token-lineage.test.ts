import { describe, expect, it } from 'vitest';
import { checkTokenLineage } from '../../harness/evidence/token-lineage.js';
import { at, byTime, ledger, lockedRefresh, refusedRefresh } from '../helpers/history.js';

describe('checkTokenLineage', () => {
  it('passes a chain in which every token is redeemed once, counting refused reuses apart', () => {
    const history = byTime(lockedRefresh(0, 1, 'L', 'a', 'b'), refusedRefresh(20, 2, 'L', 'a', 'z'));

    const result = checkTokenLineage(history);

    expect(result.status).toBe('pass');
    expect(result.checked).toBe(1);
    expect(result.summary).toContain('1 reuses refused');
  });

  it('fails a token redeemed twice (a replay a lenient server let through) that forked the family', () => {
    const history = byTime(lockedRefresh(0, 1, 'L1', 'a', 'b'), lockedRefresh(2, 2, 'L2', 'a', 'c'));

    const result = checkTokenLineage(history);

    expect(result.status).toBe('fail');
    expect(result.violations).toBe(1);
    expect(result.summary).toContain('1 forks');
    expect(result.first_violation?.t).toBe(7);
  });

  it('fails a client that reports a rotation the ledger never made', () => {
    const history = [ledger(1, 1, 'refresh_ok', { presented: 'a', issued: 'b' }), at(2, 1, 'refresh_ok', { presented: 'a', issued: 'x', latencyMs: 1 })];

    expect(checkTokenLineage(history).violations).toBe(1);
  });

  it('is inconclusive when the server rotated nothing', () => {
    expect(checkTokenLineage(refusedRefresh(0, 1, 'L', 'a', 'z')).status).toBe('inconclusive');
  });
});
