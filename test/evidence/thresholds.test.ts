import { describe, expect, it } from 'vitest';
import { evaluateThreshold, parseThreshold } from '../../harness/evidence/thresholds.js';
import { isTokenraceError } from '../../harness/errors.js';

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return isTokenraceError(error) ? error.code : 'not a TokenraceError';
  }
}

describe('thresholds', () => {
  it('reads counts and durations, durations in milliseconds', () => {
    expect(parseThreshold('shared.invalid_grant==0')).toMatchObject({ layout: 'shared', metric: 'invalid_grant', operator: '==', value: 0 });
    expect(parseThreshold('shared.lock_wait_p99<250ms').value).toBe(250);
    expect(parseThreshold('legacy.refresh_latency_max <= 1.5s').value).toBe(1500);
    expect(parseThreshold('shared.ledger.refresh_ok>=3').metric).toBe('ledger.refresh_ok');
  });

  it('refuses an unknown metric, an unknown layout, a unit on a count and a bad shape', () => {
    expect(codeOf(() => parseThreshold('shared.invalid_grants==0'))).toBe('ERR_INVALID_OPTION');
    expect(codeOf(() => parseThreshold('other.invalid_grant==0'))).toBe('ERR_INVALID_OPTION');
    expect(codeOf(() => parseThreshold('shared.invalid_grant==0ms'))).toBe('ERR_INVALID_OPTION');
    expect(codeOf(() => parseThreshold('shared.lock_wait_p99<250parsecs'))).toBe('ERR_INVALID_OPTION');
    expect(codeOf(() => parseThreshold('invalid_grant==0'))).toBe('ERR_INVALID_OPTION');
  });

  it('passes, fails, or is inconclusive when the metric had no samples', () => {
    const threshold = parseThreshold('shared.lock_wait_p99<250ms');

    expect(evaluateThreshold(threshold, { shared: { lock_wait_p99: 100 } }).status).toBe('pass');
    expect(evaluateThreshold(threshold, { shared: { lock_wait_p99: 300 } }).status).toBe('fail');
    expect(evaluateThreshold(threshold, { shared: { lock_wait_p99: null } }).status).toBe('inconclusive');
    expect(evaluateThreshold(threshold, {}).status).toBe('inconclusive');
  });
});
