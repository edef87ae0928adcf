import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, scratchDir } from './helpers/cli.js';

/**
 * The example clients in scenarios/clients/ give the outcomes their comments promise, judged
 * only from the ledger and their exits: a lock beside the config dir fails in legacy, a flock
 * inside it holds in both layouts, and a lock without a re-read fails everywhere.
 */
let out: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (out = await scratchDir()));
afterEach(async () => out.remove());

async function compareExec(command: string) {
  const run = await runCli([
    'compare', '--client-cmd', command, '--workers', '4', '--duration', '3s', '--token-ttl', '500ms',
    '--refresh-latency', '100ms', '--json', '--out', out.dir,
  ]);
  const result = run.stdout ? JSON.parse(run.stdout) : null;
  return { run, result, legacy: result?.layouts.legacy.real, shared: result?.layouts.shared.real };
}

describe('example exec clients', () => {
  it('a shell client with a mkdir lock beside the config dir loses sessions in legacy only', async () => {
    const { run, result, legacy, shared } = await compareExec('sh scenarios/clients/shell-client.sh mkdir-beside');

    expect(run.code).toBe(0);
    // The flags chose the client: the report says so, not the scenario's built-in default.
    expect(result.profile).toBe('exec');
    expect(legacy.invalid_grant).toBeGreaterThan(0);
    expect(legacy.locks_seen).toContain('beside-config homes/w*/.claude.lock');
    expect(shared.invalid_grant).toBe(0);
    expect(shared.max_posts_per_generation).toBe(1);
    expect(shared.locks_seen).toContain('beside-config store/config.lock');
    expect(shared.refresh_posts).toBeGreaterThan(0);
  });

  it('the same client with flock(1) inside the config dir loses no session in either layout', async () => {
    const { run, legacy, shared } = await compareExec('sh scenarios/clients/shell-client.sh flock-inside');

    expect(run.code).toBe(0);
    for (const layout of [legacy, shared]) {
      expect(layout.invalid_grant).toBe(0);
      expect(layout.max_posts_per_generation).toBe(1);
      expect(layout.failed_runs).toBe(0);
      expect(layout.refresh_posts).toBeGreaterThan(1);
      expect(layout.lock_placement).toBe('inside-config');
    }
  });

  it('a Python client that locks but never re-reads loses sessions in both layouts', async () => {
    const { run, result, legacy, shared } = await compareExec('python3 scenarios/clients/python-client.py');

    expect(run.code).toBe(1);
    expect(result.verdict).toBe('fail');
    for (const layout of [legacy, shared]) {
      expect(layout.invalid_grant).toBeGreaterThan(0);
      expect(layout.duplicate_posts).toBe(layout.invalid_grant);
      expect(layout.exit_codes['1']).toBeGreaterThan(0);
      expect(layout.sessions_lost).toBe(true);
    }
  });
});
