import { spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildParser, SWITCHES } from '../harness/cli.js';
import { PROJECT_ROOT, runCli, scratchDir } from './helpers/cli.js';

let out: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (out = await scratchDir()));
afterEach(async () => out.remove());

describe('compare refuses bad input', () => {
  it.each([
    ['--workers', '-1'],
    ['--workers', 'abc'],
    ['--workers', '0'],
    ['--duration', 'soon'],
    ['--isolation', 'moon'],
    ['--token-ttl', '-5s'],
    ['--client-cmd', ' '],
    ['--versions', '2.1.197'],
  ])('%s %s: one line naming the flag, exit 2, nothing written', async (flag, value) => {
    const run = await runCli(['compare', `${flag}=${value}`, '--out', out.dir]);

    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ERR_INVALID_OPTION');
    expect(lines[0]).toContain(flag);
    expect(lines[0]).toContain(value);
    expect(run.stdout).toBe('');
    expect(await readdir(out.dir)).toEqual([]);
  });

  it.each([['--json=maybe'], ['--allow-inconclusive=yes']])('%s: a switch given a value other than true/false is refused', async (arg) => {
    const run = await runCli(['compare', arg, '--out', out.dir]);

    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`error ERR_INVALID_OPTION: ${arg.split('=')[0]}: got "${arg.split('=')[1]}", expected no value, true or false`);
    expect(await readdir(out.dir)).toEqual([]);
  });

  it('knows every boolean flag the parser has', async () => {
    const booleans = new Set<string>();
    for (const command of ['compare', 'run x', 'scenarios', 'suite', 'matrix', 'report x', 'install-client x']) {
      const parser = buildParser(command.split(' '));
      // A command's own options exist only while it is being parsed: read them from middleware.
      const options = () => (parser as unknown as { getOptions: () => { boolean: string[] } }).getOptions();
      parser.middleware(() => options().boolean.forEach((name) => booleans.add(name)));
      await parser.parseAsync();
    }
    expect([...booleans].sort()).toEqual([...SWITCHES].sort());
  });

  it.each(['/nonexistent-tokenrace-tmp', '/dev/null'])('TMPDIR=%s: exit 2 naming TMPDIR before any probe or run', async (tmp) => {
    const run = await runCli(['compare', '--out', out.dir], { env: { TMPDIR: tmp } });

    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^error ERR_OUTPUT_UNWRITABLE: TMPDIR: cannot write to/);
    expect(await readdir(out.dir)).toEqual([]);
  });

  it.each([[['--out=']], [['--out', 'a', '--out', 'b']]])('%j: refused, never a run into ./reports', async (args) => {
    // Run from the scratch dir, so a regression writes its ./reports there and nowhere else.
    const run = await runCli(['compare', ...args], { cwd: out.dir });

    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^error ERR_INVALID_OPTION: --out: got /);
    expect(await readdir(out.dir)).toEqual([]);
  });

  it('refuses a command for a fleet without exec clients instead of ignoring it', async () => {
    const run = await runCli(['compare', '--client', 'builtin', '--client-cmd', 'true', '--out', out.dir]);

    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('error ERR_INVALID_OPTION: --client-cmd: got "true", expected no command unless --client includes exec (got --client builtin)');
    expect(await readdir(out.dir)).toEqual([]);
  });

  it('prints its version and runs nothing', async () => {
    const run = await runCli(['--version', '--out', out.dir]);

    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await readdir(out.dir)).toEqual([]);
  });

  it('refuses an --out it cannot write to, before running anything', async () => {
    const run = await runCli(['compare', '--out', '/dev/null/reports', '--duration', '1s']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ERR_OUTPUT_UNWRITABLE');
    expect(run.stderr).toContain('--out');
  });

  it('refuses a refresh margin that would leave no usable token', async () => {
    const run = await runCli(['compare', '--token-ttl', '1s', '--refresh-margin', '2s', '--out', out.dir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--refresh-margin');
  });

  it('refuses unknown flags as a usage error', async () => {
    const run = await runCli(['compare', '--wokers', '4', '--out', out.dir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('wokers');
  });
});

describe('compare refuses an --out it cannot create', () => {
  it.each(['/proc/tokenrace-reports', '/dev/null/reports'])('--out %s: exit 2 at once, naming --out', async (target) => {
    const run = await runCli(['compare', '--out', target, '--duration', '1s']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ERR_OUTPUT_UNWRITABLE');
    expect(run.stderr).toContain('--out');
  });
});

describe('a reader that goes away', () => {
  it('does not end the run: `2>&1 | head -1` still gets a full report and leaves no temp dir', async () => {
    const tmp = path.join(out.dir, 'tmp');
    const reports = path.join(out.dir, 'reports');
    await mkdir(tmp);
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'tokenrace.js'), 'compare', '--workers', '2',
      '--duration', '1s', '--isolation', 'paths', '--out', reports], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    // Read the first chunk, then close both pipes, as `head -1` does.
    await new Promise((resolve) => child.stderr.once('data', resolve));
    child.stdout.destroy();
    child.stderr.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect([0, 1, 3]).toContain(code);
    const [runId] = await readdir(reports);
    expect((await readdir(path.join(reports, runId!))).sort()).toEqual(['events.ndjson', 'junit.xml', 'report.html', 'report.json', 'report.md']);
    expect(await readdir(tmp)).toEqual([]);
  });
});
