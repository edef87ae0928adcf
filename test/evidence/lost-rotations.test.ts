import { describe, expect, it } from 'vitest';
import { checkLostRotations } from '../../harness/evidence/lost-rotations.js';
import { at, byTime, ledger, lockedRefresh } from '../helpers/history.js';

describe('checkLostRotations', () => {
  it('passes when every token issued to a worker was persisted by one', () => {
    const history = byTime([ledger(0, 0, 'login_ok', { issued: 'seed' })], lockedRefresh(1, 1, 'L', 'seed', 'b'));

    const result = checkLostRotations(history);

    expect(result.status).toBe('pass');
    // The harness's own seeding login (worker 0) is not a session's token.
    expect(result.checked).toBe(1);
  });

  it('fails a rotation the server issued that no worker ever wrote to the store', () => {
    const history = [
      at(0, 1, 'lock_acquiring', { lockPath: '/c.lock', planned: 'a' }),
      at(1, 1, 'refresh_start', { presented: 'a' }),
      ledger(5, 1, 'refresh_ok', { presented: 'a', issued: 'b' }),
      at(9, 1, 'refresh_error', { presented: 'a', status: null, error: 'timeout' }),
    ];

    const result = checkLostRotations(history);

    expect(result.status).toBe('fail');
    expect(result.violations).toBe(1);
    expect(result.first_violation?.t).toBe(5);
  });
});
