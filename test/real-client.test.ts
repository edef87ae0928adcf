import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installClaude, PINNED_CLAUDE_VERSION } from '../harness/client/claude-install.js';
import { probeNetNamespace } from '../harness/isolation/net-namespace.js';
import { runCli, scratchDir } from './helpers/cli.js';

/**
 * The published Claude Code binary at the pinned version, 4 containers, in the shared, legacy
 * and file-mount layouts. What it must show (observed offline, see the README's matrix): its
 * primary refresh lock lives inside the config dir, so shared and legacy both keep every session
 * with one POST per token generation, while file-mount (only the credentials file shared) races
 * and loses sessions (invalid_grant; whether a run then exits 1 depends on whether it re-reads a
 * winner's token in time, so exits are not asserted). A slow token endpoint (1 s) keeps the race window open on a busy machine.
 */
let out: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (out = await scratchDir()));
afterEach(async () => out.remove());

let installError: { code?: string } | null = null;
beforeAll(async () => {
  installError = await installClaude(PINNED_CLAUDE_VERSION).then(
    () => null,
    (error: { code?: string }) => error,
  );
}, 300_000);

const netns = probeNetNamespace();

describe(`claude-code@${PINNED_CLAUDE_VERSION}`, () => {
  it('keeps sessions in shared and legacy and loses them in file-mount, with no traffic off loopback', async () => {
    const run = await runCli([
      'compare', '--client', 'claude-code', '--layouts', 'legacy,shared,file-mount', '--workers', '4',
      '--duration', '5s', '--token-ttl', '2s', '--refresh-latency', '1s', '--json', '--out', out.dir,
    ]);
    if (installError) {
      // No registry here: the run must refuse cleanly and say why, not run something else.
      expect(installError.code).toBe('ERR_CLIENT_INSTALL');
      expect(run.code).toBe(4);
      expect(run.stderr).toContain('ERR_CLIENT_INSTALL');
      return;
    }
    const result = JSON.parse(run.stdout);
    const { legacy, shared } = { legacy: result.layouts.legacy.real, shared: result.layouts.shared.real };
    const fileMount = result.layouts['file-mount'].real;

    expect(run.code).toBe(0);
    expect(result.verdict).toBe('pass');
    for (const layout of [legacy, shared]) {
      expect(layout.runs).toBeGreaterThanOrEqual(4);
      expect(layout.refresh_posts).toBeGreaterThan(0);
      expect(layout.invalid_grant).toBe(0);
      expect(layout.max_posts_per_generation).toBe(1);
      expect(layout.failed_runs).toBe(0);
      expect(layout.store).toBe('ok');
      expect(layout.locks_seen).toContain('inside-config store/config/.oauth_refresh.lock');
    }
    expect(fileMount.invalid_grant).toBeGreaterThan(0);
    expect(fileMount.max_posts_per_generation).toBeGreaterThan(1);
    expect(fileMount.sessions_lost).toBe(true);

    const journal = await readFile(path.join(result.reportDir, 'events.ndjson'), 'utf8');
    const routes = journal.trim().split('\n').map((line) => JSON.parse(line)).filter((event) => event.type === 'network_route');
    expect(routes.map((event) => event.route)).toEqual(Array(3).fill(netns.available ? 'hosts' : 'proxy'));
  }, 240_000);
});
