import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardConfigDir } from '../harness/safety/store-guard.js';
import { OVERWRITE_REAL_STORE_FLAG } from '../harness/scenario/options.js';
import { runCli, scratchDir } from './helpers/cli.js';

let scratch: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (scratch = await scratchDir()));
afterEach(async () => scratch.remove());

const context = (home: string, overridden = false) => ({ overrideFlag: OVERWRITE_REAL_STORE_FLAG, overridden, home, env: {} });

/** Every file under `dir`, recursively. */
async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('the harness never writes over a real credential store', () => {
  it('refuses a config dir that is, is under, or links to ~/.claude, or holds .credentials.json', async () => {
    const home = path.join(scratch.dir, 'home');
    const real = path.join(home, '.claude');
    await mkdir(real, { recursive: true });
    const link = path.join(scratch.dir, 'innocent-looking');
    await symlink(real, link);
    const holder = path.join(scratch.dir, 'holder');
    await mkdir(holder);
    await writeFile(path.join(holder, '.credentials.json'), '{}');

    for (const dir of [real, path.join(real, 'not-yet-made', 'deeper'), link, path.join(link, 'sub'), holder]) {
      expect(() => guardConfigDir(dir, context(home))).toThrow(expect.objectContaining({ code: 'ERR_REAL_CREDENTIAL_STORE' }));
      expect(() => guardConfigDir(dir, context(home, true))).not.toThrow();
    }
    expect(() => guardConfigDir(path.join(scratch.dir, 'fresh'), context(home))).not.toThrow();
    expect(() => guardConfigDir(home, context(home))).not.toThrow();
  });

  it('refuses the CLAUDE_CONFIG_DIR the harness was started with', () => {
    const store = path.join(scratch.dir, 'team-store');
    const env = { CLAUDE_CONFIG_DIR: store };
    expect(() => guardConfigDir(store, { ...context(scratch.dir), env })).toThrow(expect.objectContaining({ code: 'ERR_REAL_CREDENTIAL_STORE' }));
  });

  it('the CLI exits 2 naming the override, and writes nothing, for --config-dir ~/.claude', async () => {
    const home = path.join(scratch.dir, 'home');
    await mkdir(path.join(home, '.claude'), { recursive: true });
    const out = path.join(scratch.dir, 'out');
    const run = await runCli(['compare', '--config-dir', path.join(home, '.claude'), '--out', out], { env: { HOME: home } });

    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error ERR_REAL_CREDENTIAL_STORE: --config-dir/);
    expect(run.stderr).toContain(`--${OVERWRITE_REAL_STORE_FLAG}`);
    expect(await readdir(path.join(home, '.claude'))).toEqual([]);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('with the override, keeps its stores in a new dir of its own and leaves the existing file alone', async () => {
    const dir = path.join(scratch.dir, 'holder');
    await mkdir(dir);
    await writeFile(path.join(dir, '.credentials.json'), '{"mine":true}');
    const out = path.join(scratch.dir, 'out');
    const run = await runCli(['compare', '--workers', '2', '--duration', '500ms', '--config-dir', dir, `--${OVERWRITE_REAL_STORE_FLAG}`, '--json', '--out', out]);

    expect([0, 1, 3]).toContain(run.code);
    const result = JSON.parse(run.stdout);
    expect(await readFile(path.join(dir, '.credentials.json'), 'utf8')).toBe('{"mine":true}');
    for (const layout of ['legacy', 'shared']) {
      const kept = path.join(dir, result.run_id, layout, 'store', 'config', '.credentials.json');
      expect((await readFile(kept, 'utf8')).includes('tokenrace-fake-rt-')).toBe(true);
    }

    // Reports carry fingerprints only: no token value anywhere in the report dir.
    const files = await allFiles(result.reportDir);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) expect(await readFile(file, 'utf8')).not.toContain('tokenrace-fake-');
  });
});
