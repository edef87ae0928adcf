import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTokenraceError } from '../harness/errors.js';
import { LIBRARY_DIR, loadScenario, validateScenario } from '../harness/scenario/load-scenario.js';
import { FLAG_DEFINITIONS, resolveRunSafety } from '../harness/scenario/options.js';
import { runCli, scratchDir } from './helpers/cli.js';

/** Values a person (or a script with a bug) might pass for any flag. */
const anyValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', ' ', '-1', '1e3', 'NaN', 'Infinity', '0x10', '4s ', '4 s', '99999999999999999999ms', '1h1m', '-0', '1.5'),
);

/** Values that no scenario flag accepts, whatever its range. */
const brokenValue = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-1', 'abc', '4 parsecs', '0x10', '--', '💥', '$(rm -rf /)'),
  fc.string({ minLength: 1, maxLength: 12 }).map((text) => `x${text}`),
);

let out: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (out = await scratchDir()));
afterEach(async () => out.remove());

function expectRefusal(error: unknown, code: string, startsWith?: string): void {
  expect(isTokenraceError(error) && error.code).toBe(code);
  if (startsWith) expect((error as Error).message.startsWith(startsWith)).toBe(true);
}

describe('flags under random and broken values', () => {
  it('a scenario flag is accepted or refused with ERR_INVALID_OPTION naming the flag', async () => {
    for (const definition of FLAG_DEFINITIONS) {
      await fc.assert(
        fc.asyncProperty(anyValue, async (value) => {
          try {
            await loadScenario('compare', LIBRARY_DIR, { [definition.flag]: value });
          } catch (error) {
            expectRefusal(error, 'ERR_INVALID_OPTION', `--${definition.flag}:`);
          }
        }),
        { numRuns: 150, seed: 2 },
      );
    }
  });

  it('refuses values no flag accepts, and a flag given twice', async () => {
    for (const definition of FLAG_DEFINITIONS) {
      for (const value of [...fc.sample(brokenValue, { numRuns: 30, seed: 4 }), ['1', '2']]) {
        const attempt = loadScenario('compare', LIBRARY_DIR, { [definition.flag]: value });
        await expect(attempt).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
      }
    }
  });

  it('--time-budget and --config-dir are accepted or refused with ERR_INVALID_OPTION naming the flag', () => {
    for (const flag of ['time-budget', 'config-dir']) {
      fc.assert(
        fc.property(fc.oneof(anyValue, fc.constant(['1s', '2s'])), (value) => {
          try {
            resolveRunSafety({ [flag]: value });
          } catch (error) {
            expectRefusal(error, 'ERR_INVALID_OPTION', `--${flag}:`);
          }
        }),
        { numRuns: 300, seed: 3 },
      );
    }
    expect(() => resolveRunSafety({ 'time-budget': '999ms' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    expect(resolveRunSafety({ 'time-budget': '90s' }).timeBudgetMs).toBe(90_000);
  });

  it('the CLI exits 2 with one error line naming the flag, no stack trace and nothing written', async () => {
    const cases = fc.sample(fc.record({ definition: fc.constantFrom(...FLAG_DEFINITIONS), value: brokenValue }), { numRuns: 3, seed: 5 });
    for (const { definition, value } of [...cases, { definition: { flag: 'time-budget' }, value: 'soon' }]) {
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

/** Sets `value` at a random path of a scenario document (an existing key or a new one). */
function mutate(document: Record<string, unknown>, keys: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(document);
  let cursor: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    const next = cursor[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) break;
    cursor = next as Record<string, unknown>;
  }
  cursor[keys.at(-1)!] = value;
  return copy;
}

describe('scenario documents under random and broken input', () => {
  it('a generated document is valid or refused with ERR_SCENARIO_INVALID naming the file', async () => {
    const base = JSON.parse(await readFile(path.join(LIBRARY_DIR, 'compare-n4.json'), 'utf8')) as Record<string, unknown>;
    const key = fc.constantFrom('workers', 'cycles', 'seed', 'layouts', 'expect', 'server', 'client', 'workload', 'isolation', 'name', 'legacy', 'shared', 'invalid_grant', 'policy', 'zzz');
    const documents = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ keys: fc.array(key, { minLength: 1, maxLength: 3 }), value: fc.jsonValue({ maxDepth: 2 }) }).map(({ keys, value }) => mutate(base, keys, value)),
    );
    fc.assert(
      fc.property(documents, (document) => {
        try {
          validateScenario(document, 'fuzz.json');
        } catch (error) {
          expectRefusal(error, 'ERR_SCENARIO_INVALID');
          expect((error as Error).message).toContain('fuzz.json');
        }
      }),
      { numRuns: 1_000, seed: 9 },
    );
  });

  it('the CLI exits 2 with one error line and no stack trace for a broken scenario file', async () => {
    const files: Array<[string, string]> = [
      ['not-json.json', '{ "workers": 4,'],
      ['array.json', '[1, 2, 3]'],
      ['wrong-type.json', JSON.stringify({ name: 'x', workers: 'many' })],
    ];
    for (const [name, text] of files) {
      const file = path.join(out.dir, name);
      await writeFile(file, text);
      const run = await runCli(['run', file, '--out', path.join(out.dir, 'reports')]);

      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^error ERR_SCENARIO_[A-Z_]+: /);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
  });
});
