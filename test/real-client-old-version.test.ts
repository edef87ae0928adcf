import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { installClaude } from '../harness/client/claude-install.js';
import { realClientRow } from '../harness/report/real-client-table.js';
import { runCli, scratchDir } from './helpers/cli.js';

/**
 * A Claude Code version old enough to take its refresh lock only beside the config dir (before
 * 2.1.132, see the README's matrix). In the legacy layout that lock is container-private, so
 * containers refresh the same token at once: more than one POST per generation, where the shared
 * layout makes exactly one. Under family revocation those duplicates cost the whole session.
 *
 * 2.1.100 is a cli.js: 19 MB to download, 47 MB installed, where a native version is 220-384 MB.
 * .ci/run installs it beside the pinned version. A 2 s refresh latency keeps the four refreshes
 * overlapping even when the containers start a second apart on a loaded machine. Most of the
 * time is old cli.js start-up and, under family revocation, clients backing off until the runner
 * kills them 30 s after the deadline. (Run at once, the two runs starved each other's races.)
 */
const BESIDE_ONLY_VERSION = '2.1.100';

let installError: { code?: string } | null = null;
beforeAll(async () => {
  installError = await installClaude(BESIDE_ONLY_VERSION).then(
    () => null,
    (error: { code?: string }) => error,
  );
}, 300_000);

/** One compare run in its own scratch dir, removed when the test ends. */
async function compareOld(context: TestContext, extra: string[]) {
  const out = await scratchDir();
  context.onTestFinished(() => out.remove());
  const run = await runCli([
    'compare', '--client', `claude-code@${BESIDE_ONLY_VERSION}`, '--workers', '4', '--duration', '2s',
    '--token-ttl', '2s', '--refresh-latency', '2s', '--json', '--out', out.dir, ...extra,
  ]);
  const result = run.stdout ? JSON.parse(run.stdout) : null;
  // A starved race is the likely failure on a busy machine: show what each layout did.
  context.onTestFailed(() => console.error(`exit ${run.code}\n${result?.reasons.join('\n') ?? run.stderr}`));
  return { run, result };
}

/** Without a registry the run must refuse cleanly and say why, not run something else. */
function expectInstallRefused(run: { code: number | null; stderr: string }): void {
  expect(installError?.code).toBe('ERR_CLIENT_INSTALL');
  expect(run.code).toBe(4);
  expect(run.stderr).toContain('ERR_CLIENT_INSTALL');
}

describe(`claude-code@${BESIDE_ONLY_VERSION}, which locks only beside the config dir`, () => {
  it('makes more than one refresh POST per generation in legacy and exactly one in shared', async (context) => {
    const { run, result } = await compareOld(context, ['--layouts', 'legacy,shared']);
    if (installError) return expectInstallRefused(run);
    const { legacy, shared } = { legacy: result.layouts.legacy.real, shared: result.layouts.shared.real };

    expect(run.code).toBe(0);
    for (const layout of [legacy, shared]) expect(layout.lock_placement).toBe('beside-config');
    expect(legacy.max_posts_per_generation).toBeGreaterThan(1);
    expect(legacy.duplicate_posts).toBeGreaterThan(0);
    expect(shared.refresh_posts).toBeGreaterThan(0);
    expect(shared.max_posts_per_generation).toBe(1);
    expect(shared.invalid_grant).toBe(0);
    expect(shared.sessions_lost).toBe(false);
  }, 240_000);

  it('under family revocation loses the legacy sessions: failed runs, a dead store, and the report says so', async (context) => {
    // Legacy alone: shared's single POST is the test above; the verdict is then inconclusive (3).
    const { run, result } = await compareOld(context, ['--layouts', 'legacy', '--reuse-policy', 'family-revocation']);
    if (installError) return expectInstallRefused(run);
    const legacy = result.layouts.legacy.real;

    expect(run.code).toBe(3);
    expect(legacy.max_posts_per_generation).toBeGreaterThan(1);
    expect(legacy.sessions_lost).toBe(true);
    expect(legacy.failed_runs).toBeGreaterThan(0);
    expect(Object.keys(legacy.exit_codes).filter((code) => code !== '0').length).toBeGreaterThan(0);
    expect(['wiped', 'dead']).toContain(legacy.store);
    expect(legacy.lost_by).toEqual(expect.arrayContaining(['invalid_grant', 'failed_runs', `store_${legacy.store}`]));

    // report.md carries the same row, its sessions cell naming each cause.
    const markdown = await readFile(path.join(result.reportDir, 'report.md'), 'utf8');
    const row = realClientRow('legacy', legacy);
    expect(markdown).toContain(`| ${row.join(' | ')} |`);
    expect(row.at(-1)).toMatch(/^LOST \(.+, .+, .+\)$/);
  }, 240_000);
});
