import { describe, expect, it } from 'vitest';
import { formatExpectation, meetsExpectation, parseExpectation } from '../../harness/scenario/expectation.js';

describe('the expectation grammar', () => {
  it.each([
    [0, 0, true],
    [0, 1, false],
    ['3', 3, true],
    ['>0', 1, true],
    ['>0', 0, false],
    ['>=3', 3, true],
    ['>=3', 2, false],
    ['<5', 5, false],
    ['<=5', 5, true],
    ['2..9', 2, true],
    ['2..9', 9, true],
    ['2..9', 10, false],
    ['<=0.5', 0.25, true],
    [true, true, true],
    [true, false, false],
    [true, 1, false],
    ['>0', true, false],
  ] as const)('%j against %j is met: %j', (written, observed, met) => {
    const expectation = parseExpectation(written);

    expect(expectation).not.toBeNull();
    expect(meetsExpectation(expectation!, observed)).toBe(met);
  });

  it.each(['', 'many', '=>3', '>-1', '9..2', '1..', '>', -1, Number.NaN])('refuses %j', (written) => {
    expect(parseExpectation(written)).toBeNull();
  });

  it('prints each expectation in one canonical form', () => {
    expect(['0', ' > 2', '>=3', '2 .. 9', true].map((text) => formatExpectation(parseExpectation(text)!))).toEqual([
      '0',
      '>2',
      '>=3',
      '2..9',
      'true',
    ]);
  });
});
