import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseClientSpecs, specForWorker } from '../harness/client/client-spec.js';
import { flagOverrides, resolveClientFlags } from '../harness/scenario/options.js';
import { inspectStore } from '../harness/run/store-inspection.js';
import { runCli } from './helpers/cli.js';

let dir: string;
beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'tokenrace-real-'))));
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('client options', () => {
  it('takes the pinned version for a bare claude-code and mixes kinds in turn', () => {
    const specs = parseClientSpecs('claude-code,exec', 'true');

    expect(specs[0]).toMatchObject({ kind: 'claude-code' });
    expect(specForWorker(specs, 3)).toEqual(specs[0]);
    expect(specForWorker(specs, 4)).toEqual({ kind: 'exec', command: 'true' });
  });

  it('means exec when only --client-cmd is given, and builtin when neither is', () => {
    expect(resolveClientFlags({ 'client-cmd': 'true' }).client).toBe('exec');
    expect(resolveClientFlags({}).client).toBe('builtin');
    expect(flagOverrides({ layouts: 'file-mount,shared' }).layouts).toEqual(['file-mount', 'shared']);
  });

  it('takes the network route auto unless told proxy, and refuses any other route', () => {
    expect(resolveClientFlags({}).networkRoute).toBe('auto');
    expect(resolveClientFlags({ 'network-route': 'proxy' }).networkRoute).toBe('proxy');
    expect(() => resolveClientFlags({ 'network-route': 'hosts-ish' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', message: expect.stringContaining('--network-route') }),
    );
  });

  it('refuses an unknown layout, a repeated layout and exec without a command, with exit 2', async () => {
    for (const args of [['--layouts', 'legacy,bogus'], ['--layouts', 'shared,shared'], ['--client', 'exec']]) {
      const run = await runCli(['compare', ...args, '--out', dir]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error ERR_(INVALID_OPTION|SCENARIO_INVALID): .*(layouts|client-cmd)/);
    }
  });

  it('refuses a Claude Code version the npm registry does not have, leaving the cache as it was', async () => {
    const cache = path.join(dir, 'cache');
    const run = await runCli(['install-client', 'claude-code@99.99.99'], { env: { TOKENRACE_CACHE_DIR: cache } });

    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('error ERR_INVALID_OPTION: --client: got "claude-code@99.99.99", expected a version the npm registry has');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a --claude-bin that cannot run, before anything runs', async () => {
    const notABinary = path.join(dir, 'claude');
    await writeFile(notABinary, 'not a program', { mode: 0o644 });
    const run = await runCli(['compare', '--client', 'claude-code', '--claude-bin', notABinary, '--out', path.join(dir, 'out')]);

    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^error ERR_INVALID_OPTION: --claude-bin: got ".*claude", expected a Claude Code binary that runs \(`--version` failed: EACCES\)$/);
    expect(await readdir(dir)).toEqual(['claude']);
  });

  it('refuses file-mount under paths isolation before anything runs', async () => {
    const run = await runCli(['compare', '--layouts', 'file-mount', '--isolation', 'paths', '--out', dir]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ERR_ISOLATION_UNAVAILABLE');
  });
});

describe('store inspection', () => {
  const write = (document: unknown) => writeFile(path.join(dir, 'c.json'), typeof document === 'string' ? document : JSON.stringify(document));

  it('tells a kept session from a wiped one, a dead token, garbage and no file', async () => {
    const file = path.join(dir, 'c.json');
    expect((await inspectStore(file)).state).toBe('missing');
    await write({ claudeAiOauth: { accessToken: 'a', refreshToken: 'r', expiresAt: 5 } });
    expect((await inspectStore(file)).state).toBe('ok');
    await write({ claudeAiOauth: { accessToken: '', refreshToken: '', expiresAt: 0 } });
    expect((await inspectStore(file)).state).toBe('wiped');
    await write('not json');
    expect((await inspectStore(file)).state).toBe('corrupt');
    await write({ claudeAiOauth: { accessToken: 'a', refreshToken: 'spent', expiresAt: 5 } });
    expect((await inspectStore(file, (token) => token !== 'spent')).state).toBe('dead');
  });
});
