import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, runCli, scratchDir } from '../helpers/cli.js';

const LIBRARY = path.join(PROJECT_ROOT, 'scenarios');

let scratch: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (scratch = await scratchDir()));
afterEach(async () => scratch.remove());

async function writeScenario(name: string, fields: Record<string, unknown>): Promise<string> {
  const file = path.join(scratch.dir, `${name}.json`);
  await writeFile(file, JSON.stringify({ name, description: 'a probe', ...fields }));
  return file;
}

describe('tokenrace run refuses a bad scenario before anything starts', () => {
  it.each([
    ['a wrong type', { workers: 'four' }, '$.workers'],
    ['a negative count', { workers: -2 }, '$.workers'],
    ['an unknown client profile', { client: { profile: 'telepathic' } }, '$.client.profile'],
    ['an unknown server policy', { server: { reuse: 'lenient' } }, '$.server.reuse'],
    ['stale below what proper-lockfile keeps', { client: { staleMs: 1000 } }, '$.client.staleMs'],
  ])('%s: ERR_SCENARIO_INVALID naming %s, exit 2, nothing written', async (_, fields, jsonPath) => {
    const file = await writeScenario('probe', fields);
    const out = path.join(scratch.dir, 'out');

    const run = await runCli(['run', file, '--out', out]);

    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error ERR_SCENARIO_INVALID: /);
    expect(lines[0]!.split(': got')[0]).toBe(`error ERR_SCENARIO_INVALID: ${jsonPath}`);
    expect(run.stdout).toBe('');
    expect(await readdir(scratch.dir)).toEqual(['probe.json']);
  });

  it('refuses a missing file and an unknown name with ERR_SCENARIO_NOT_FOUND, exit 2', async () => {
    const missingFile = await runCli(['run', path.join(scratch.dir, 'absent.json')]);
    const unknownName = await runCli(['run', 'no-such-scenario']);

    for (const run of [missingFile, unknownName]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error ERR_SCENARIO_NOT_FOUND: /);
    }
  });

  it('lets a flag override a file field, and names the flag when its value is bad', async () => {
    const file = await writeScenario('probe', { workers: 2 });

    const run = await runCli(['run', file, '--workers', '0', '--out', scratch.dir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error ERR_INVALID_OPTION: --workers: got "0"/);
  });
});

describe('tokenrace run', () => {
  it('runs a library scenario by name, checks its expectations and writes its reports', async () => {
    const run = await runCli(['run', 'lock-without-reread-n2', '--isolation', 'paths', '--json', '--out', scratch.dir]);

    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.scenario).toBe('lock-without-reread-n2');
    expect(Object.keys(result.layouts)).toEqual(['shared']);
    expect(result.expectations.length).toBeGreaterThan(0);
    expect(result.expectations.every((check: any) => check.met)).toBe(true);
    const written = JSON.parse(await readFile(path.join(result.reportDir, 'report.json'), 'utf8'));
    expect(written.expectations).toEqual(result.expectations);
  });
});

describe('tokenrace scenarios', () => {
  it('lists the built-in compare and every library file, each with a source URL', async () => {
    const run = await runCli(['scenarios', '--json']);

    expect(run.code).toBe(0);
    const listed = JSON.parse(run.stdout) as Array<{ name: string; sources: string[] }>;
    const files = (await readdir(LIBRARY)).filter((entry) => entry.endsWith('.json') && entry !== 'schema.json');
    expect(listed.map((entry) => entry.name).sort()).toEqual(
      ['compare', ...files.map((file) => file.replace(/\.json$/, ''))].sort(),
    );
    expect(listed.length).toBeGreaterThanOrEqual(12);
    for (const entry of listed) {
      expect(entry.sources.length).toBeGreaterThan(0);
      for (const source of entry.sources) expect(new URL(source).protocol).toBe('https:');
    }
  });

  it('prints one line per scenario', async () => {
    const json = JSON.parse((await runCli(['scenarios', '--json'])).stdout) as unknown[];
    const text = await runCli(['scenarios']);

    expect(text.stdout.trim().split('\n')).toHaveLength(json.length);
  });
});

describe('tokenrace suite', () => {
  it('exits non-zero when one expectation is made wrong on purpose, and shows which', async () => {
    const dir = path.join(scratch.dir, 'scenarios');
    await cp(path.join(LIBRARY, 'lock-without-reread-n2.json'), path.join(dir, 'lock-without-reread-n2.json'));
    const broken = JSON.parse(await readFile(path.join(LIBRARY, 'compare-n2.json'), 'utf8'));
    broken.expect.shared.invalid_grant = '>0';
    await writeFile(path.join(dir, 'compare-n2.json'), JSON.stringify(broken));

    const run = await runCli(['suite', dir, '--isolation', 'paths', '--json', '--out', path.join(scratch.dir, 'out')]);

    expect(run.code).toBe(1);
    const suite = JSON.parse(run.stdout);
    const verdicts = Object.fromEntries(suite.scenarios.map((entry: any) => [entry.name, entry.result.verdict]));
    expect(verdicts).toEqual({ 'compare-n2': 'fail', 'lock-without-reread-n2': 'pass' });
    const unmet = suite.scenarios[0].result.expectations.filter((check: any) => !check.met);
    expect(unmet.map((check: any) => [check.layout, check.counter, check.observed])).toEqual([['shared', 'invalid_grant', 0]]);
    const [suiteDir] = await readdir(path.join(scratch.dir, 'out'));
    const written = await readdir(path.join(scratch.dir, 'out', suiteDir!));
    expect(written.sort()).toEqual(['compare-n2', 'lock-without-reread-n2', 'suite.json', 'suite.md']);
  });

  it('runs a scenario whose client is a command, from the scenario file\'s own directory', async () => {
    // The example client moves with its scenario: the command's relative path is the scenario's.
    const dir = path.join(scratch.dir, 'scenarios');
    await cp(path.join(LIBRARY, 'example-shell-mkdir-beside.json'), path.join(dir, 'example-shell-mkdir-beside.json'));
    await cp(path.join(LIBRARY, 'clients', 'shell-client.sh'), path.join(dir, 'clients', 'shell-client.sh'));

    const run = await runCli(['suite', dir, '--json', '--out', path.join(scratch.dir, 'out')]);

    expect(run.code, run.stderr).toBe(0);
    const [entry] = JSON.parse(run.stdout).scenarios;
    expect(entry.result.verdict).toBe('pass');
    expect(entry.result.layouts.legacy.real.clients).toEqual({ exec: 4 });
    expect(entry.result.layouts.legacy.real.max_posts_per_generation).toBeGreaterThan(1);
    expect(entry.result.layouts.shared.real.max_posts_per_generation).toBe(1);
    // report.md shows the real clients' table, not the built-in model's rows of zeros.
    const markdown = await readFile(path.join(entry.result.reportDir, 'report.md'), 'utf8');
    expect(markdown).toContain('## Real clients');
    expect(markdown).not.toContain('counts match ledger');
    // `report` prints the same kind of table as the run did: the real clients', with expectations.
    const reread = await runCli(['report', entry.result.reportDir]);
    expect(reread.code, reread.stderr).toBe(0);
    expect(reread.stdout).toContain('max POSTs/gen');
    expect(reread.stdout).toContain('real.max_posts_per_generation');
    expect(reread.stdout).not.toContain('counts match ledger');
  });

  it('refuses the whole directory when one file is invalid, before running any', async () => {
    const dir = path.join(scratch.dir, 'scenarios');
    await cp(path.join(LIBRARY, 'compare-n2.json'), path.join(dir, 'compare-n2.json'));
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ name: 'bad', description: 'x', workers: -1 }));
    const out = path.join(scratch.dir, 'out');

    const run = await runCli(['suite', dir, '--out', out]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/ERR_SCENARIO_INVALID: \$\.workers: got -1/);
    expect(await readdir(scratch.dir)).toEqual(['scenarios']);
  });
});
