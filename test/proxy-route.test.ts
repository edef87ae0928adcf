import { execFileSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, scratchDir } from './helpers/cli.js';

/**
 * The HTTPS_PROXY route: a real client that knows only the real host names (a Python urllib
 * client, test/fixtures/proxy-client.py) must reach the mock through the per-container CONNECT
 * proxy, and a CONNECT to any other host must be refused and journaled. Run twice: forced with
 * `--network-route proxy` (still inside the loopback-only namespace), and as the fallback a
 * machine takes when `unshare --net` is refused, played by an `unshare` on PATH that refuses
 * `--net` and passes everything else to the real one.
 */
let out: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (out = await scratchDir()));
afterEach(async () => out.remove());

const CLIENT = 'python3 test/fixtures/proxy-client.py';
const FOREIGN = 'CONNECT example.com:443';

async function compareThroughProxy(extra: string[], env: NodeJS.ProcessEnv = {}) {
  const run = await runCli(
    ['compare', '--client-cmd', CLIENT, '--layouts', 'shared', '--workers', '2', '--duration', '2s',
      '--token-ttl', '500ms', '--json', '--out', out.dir, ...extra],
    { env },
  );
  const result = JSON.parse(run.stdout);
  const journal = await readFile(path.join(result.reportDir, 'events.ndjson'), 'utf8');
  const events = journal.trim().split('\n').map((line) => JSON.parse(line));
  return { run, result, events, shared: result.layouts.shared.real };
}

function expectReachedThroughProxy({ run, result, events, shared }: Awaited<ReturnType<typeof compareThroughProxy>>) {
  expect(run.code).toBe(0);
  expect(result.verdict).toBe('pass');
  expect(events.filter((event) => event.type === 'network_route').map((event) => event.route)).toEqual(['proxy']);
  expect(shared.network_route).toBe('proxy');

  // Exit 0 means the client also saw its CONNECT to example.com refused (exit 2 otherwise).
  expect(shared.exit_codes).toEqual({ '0': 2 });
  const ledger = events.filter((event) => event.type === 'ledger');
  const refreshed = ledger.filter((entry) => entry.route === '/v1/oauth/token' && entry.outcome === 'refresh_ok');
  const profiles = ledger.filter((entry) => entry.route === '/api/oauth/profile' && entry.outcome === 'aux_ok');
  expect(refreshed.length).toBeGreaterThan(0);
  expect(new Set(profiles.map((entry) => entry.worker))).toEqual(new Set([1, 2]));
  expect(shared.invalid_grant).toBe(0);

  const refused = events.filter((event) => event.type === 'connect_refused');
  expect(refused.map((event) => `w${event.worker} ${event.target}`).sort()).toEqual([`w1 ${FOREIGN}`, `w2 ${FOREIGN}`]);
  expect(shared.connects_refused).toEqual([`w1 ${FOREIGN}`, `w2 ${FOREIGN}`]);
}

describe('the HTTPS_PROXY route', () => {
  it('carries a client that knows only host names to the mock when forced, and refuses other hosts', async () => {
    const outcome = await compareThroughProxy(['--network-route', 'proxy']);

    expectReachedThroughProxy(outcome);
  });

  it('is the fallback where unshare --net is refused, with a warning', async () => {
    const realUnshare = execFileSync('sh', ['-c', 'command -v unshare'], { encoding: 'utf8' }).trim();
    const bin = path.join(out.dir, 'bin');
    execFileSync('mkdir', [bin]);
    const refuseNet = [
      '#!/bin/sh',
      'for arg in "$@"; do',
      '  case "$arg" in --net|-n) echo "unshare: unshare failed: Operation not permitted" >&2; exit 1 ;; esac',
      'done',
      `exec ${realUnshare} "$@"`,
      '',
    ].join('\n');
    await writeFile(path.join(bin, 'unshare'), refuseNet);
    await chmod(path.join(bin, 'unshare'), 0o755);

    const outcome = await compareThroughProxy([], { PATH: `${bin}:${process.env.PATH}` });

    expect(outcome.run.stderr).toMatch(/^warning: no network namespace/m);
    expectReachedThroughProxy(outcome);
  });
});
