import { readdir } from 'node:fs/promises';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTokenraceError } from '../harness/errors.js';
import { OPTION_DEFINITIONS, resolveOptions } from '../harness/scenario/options.js';
import { runCli, scratchDir } from './helpers/cli.js';

/** Values a person (or a script with a bug) might pass for any flag. */
const anyValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', ' ', '-1', '1e3', 'NaN', 'Infinity', '0x10', '4s ', '4 s', '99999999999999999999ms', '1h1m', '-0', '1.5'),
);

/** Values that no flag accepts, whatever its range. */
const brokenValue = fc.oneof(
  fc.constantFrom('', 'NaN', 'Infinity', '-1', 'abc', '4 parsecs', '1e3', '0x10', '--', '💥', '$(rm -rf /)'),
  fc.string({ minLength: 1, maxLength: 12 }).map((text) => `x${text}`),
);

let out: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (out = await scratchDir()));
afterEach(async () => out.remove());

describe('flags under random and broken values', () => {
  it('resolveOptions accepts a value or refuses it with ERR_INVALID_OPTION naming the flag', () => {
    for (const definition of OPTION_DEFINITIONS) {
      fc.assert(
        fc.property(anyValue, (value) => {
          try {
            resolveOptions({ [definition.flag]: value });
          } catch (error) {
            expect(isTokenraceError(error) && error.code).toBe('ERR_INVALID_OPTION');
            expect((error as Error).message.startsWith(`--${definition.flag}:`)).toBe(true);
          }
        }),
        { numRuns: 400, seed: 2 },
      );
    }
  });

  it('refuses values no flag accepts, repeated flags and non-string values', () => {
    for (const definition of OPTION_DEFINITIONS.filter((entry) => entry.key !== 'out')) {
      // An empty seed asks for a random one; every other flag refuses it.
      const values = fc.sample(brokenValue, { numRuns: 50, seed: 4 });
      for (const value of values.filter((text) => text !== '' || definition.key !== 'seed')) {
        expect(() => resolveOptions({ [definition.flag]: value })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
      }
      expect(() => resolveOptions({ [definition.flag]: ['1', '2'] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    }
  });

  it('the CLI exits 2 with one error line naming the flag, no stack trace and nothing written', async () => {
    const cases = fc.sample(
      fc.record({ definition: fc.constantFrom(...OPTION_DEFINITIONS.filter((entry) => entry.key !== 'out')), value: brokenValue }),
      { numRuns: 6, seed: 5 },
    ).filter(({ definition, value }) => value !== '' || definition.key !== 'seed');
    for (const { definition, value } of cases) {
      const run = await runCli(['compare', `--${definition.flag}=${value}`, '--out', out.dir]);

      expect(run.code).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]!.startsWith('error ERR_INVALID_OPTION: ')).toBe(true);
      expect(lines[0]).toContain(`--${definition.flag}`);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stdout).toBe('');
    }
    expect(await readdir(out.dir)).toEqual([]);
  });

  it('the CLI refuses unknown flags, a flag given twice and a flag with no value with exit 2', async () => {
    const argLists = [
      ['compare', '--wrokers', '4'],
      ['compare', '--workers', '4', '--workers', '5'],
      ['compare', '--workers'],
      ['compare', '--workers.x', '1'],
      ['compare', '--no-workers'],
    ];
    for (const args of argLists) {
      const run = await runCli([...args, '--out', out.dir]);

      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^error ERR_[A-Z_]+: /);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
    expect(await readdir(out.dir)).toEqual([]);
  });
});
