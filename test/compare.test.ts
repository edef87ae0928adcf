import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeNamespaces } from '../harness/isolation/isolation.js';
import { runCli, scratchDir } from './helpers/cli.js';

let out: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (out = await scratchDir()));
afterEach(async () => out.remove());

async function compare(isolation: string) {
  const run = await runCli(['compare', '--workers', '4', '--duration', '3s', '--isolation', isolation, '--seed', '7', '--json', '--out', out.dir]);
  return { run, result: run.stdout ? JSON.parse(run.stdout) : null };
}

function expectLegacyLosesAndSharedHolds(result: any): void {
  const { legacy, shared } = result.layouts;
  expect(legacy.invalid_grant).toBeGreaterThan(0);
  expect(shared.invalid_grant).toBe(0);
  expect(shared.race_resolved).toBeGreaterThan(0);
  expect(shared.lock_locations).toBe(1);
  expect(legacy.lock_locations).toBe(4);
  for (const counters of [legacy, shared]) {
    expect(counters.invalid_grant).toBe(counters.ledger.invalid_grant);
    expect(counters.refresh_ok).toBe(counters.ledger.refresh_ok);
    expect(counters.refresh_posts).toBe(counters.ledger.refresh_requests);
    expect(counters.ledger_agrees).toBe(true);
  }
}

describe('compare', () => {
  it('shows the legacy layout losing sessions and the shared layout not, under paths isolation', async () => {
    const { run, result } = await compare('paths');

    expect(run.code).toBe(0);
    expect(result.isolation).toBe('paths');
    expect(result.verdict).toBe('pass');
    expectLegacyLosesAndSharedHolds(result);
    expect(existsSync(path.join(result.reportDir, 'report.json'))).toBe(true);
    expect(existsSync(path.join(result.reportDir, 'report.md'))).toBe(true);
  });

  const namespaces = probeNamespaces();
  it(`runs in real mount namespaces where they work (here: ${namespaces.isolation})`, async () => {
    const { run, result } = await compare('namespace');

    if (namespaces.isolation !== 'namespace') {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('ERR_ISOLATION_UNAVAILABLE');
      return;
    }
    expect(run.code).toBe(0);
    expect(result.isolation).toBe('namespace');
    expectLegacyLosesAndSharedHolds(result);
    // In namespaces every container spells the same lock path; only the kernel tells them apart.
    expect(result.layouts.legacy.lock_paths).toBe(1);
  });

  it('writes a report.json equal to what --json printed, and a journal of every event', async () => {
    const { result } = await compare('paths');

    const written = JSON.parse(await readFile(path.join(result.reportDir, 'report.json'), 'utf8'));
    expect(written).toEqual(result);
    const lines = (await readFile(path.join(result.reportDir, 'events.ndjson'), 'utf8')).trim().split('\n');
    const ledger = lines.map((line) => JSON.parse(line)).filter((event) => event.type === 'ledger');
    const grants = ledger.filter((entry) => entry.layout === 'legacy' && entry.outcome === 'invalid_grant');
    expect(grants.length).toBe(result.layouts.legacy.invalid_grant);
  });
});
