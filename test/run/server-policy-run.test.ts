import { describe, expect, it } from 'vitest';
import { serverSettingsSchema, type ServerSettingsInput } from '../../harness/endpoint/server-settings.js';
import { countLayout } from '../../harness/evidence/counters.js';
import { createRunClock } from '../../harness/journal/clock.js';
import type { LayoutName } from '../../harness/journal/events.js';
import { Journal } from '../../harness/journal/journal.js';
import { runLayout } from '../../harness/run/run-layout.js';
import { BESIDE_ONLY_PROFILE } from '../../harness/scenario/options.js';

/** One layout, 3 workers for 2 s, against `server`. */
async function layoutRun(layout: LayoutName, server: ServerSettingsInput) {
  const journal = new Journal(null);
  await runLayout({
    layout,
    isolation: 'paths',
    workers: 3,
    durationMs: 2_000,
    seed: 11,
    tokenTtlMs: 600,
    refreshMarginMs: 250,
    refreshLatencyMs: 40,
    apiIntervalMs: 20,
    requestTimeoutMs: 5_000,
    profile: BESIDE_ONLY_PROFILE,
    server: serverSettingsSchema.parse(server),
    journal,
    clock: createRunClock(),
    signal: new AbortController().signal,
  });
  return countLayout(journal.events, layout);
}

const legacyRun = (server: ServerSettingsInput) => layoutRun('legacy', server);
const sharedRun = (server: ServerSettingsInput) => layoutRun('shared', server);

describe('server policy in a real layout run', () => {
  it('strict: lost races cost invalid_grant but never a family', async () => {
    const counters = await legacyRun({});

    expect(counters.invalid_grant).toBeGreaterThan(0);
    expect(counters.ledger.family_revocations).toBe(0);
    expect(counters.ledger.revoked_refused + counters.ledger.api_revoked).toBe(0);
    expect(counters.ledger_agrees).toBe(true);
  });

  it('family-revocation: a lost race revokes the family the winners hold', async () => {
    const counters = await legacyRun({ reuse: 'family-revocation' });

    expect(counters.ledger.family_revocations).toBeGreaterThan(0);
    expect(counters.ledger.revoked_refused + counters.ledger.api_revoked).toBeGreaterThan(0);
    expect(counters.ledger_agrees).toBe(true);
  });

  it('grace: the window absorbs the races, so no session is lost', async () => {
    const counters = await legacyRun({ grace: { window: '1s' } });

    expect(counters.ledger.grace_replays).toBeGreaterThan(0);
    expect(counters.invalid_grant).toBe(0);
    expect(counters.ledger_agrees).toBe(true);
  });

  describe('a 5xx on every second refresh, in the shared layout (which never races)', () => {
    const error = (phase: string) => ({ kind: 'error', phase, every: 2 }) as const;

    it('before the commit it is harmless: the session retries with its still-live token', async () => {
      const counters = await sharedRun({ faults: [error('before-commit')] });

      expect(counters.ledger.faults_injected['error-before-commit']).toBeGreaterThan(0);
      expect(counters.refresh_errors).toBeGreaterThan(0);
      expect(counters.invalid_grant).toBe(0);
      expect(counters.ledger_agrees).toBe(true);
    });

    it('after the commit it loses the session under strict', async () => {
      const counters = await sharedRun({ faults: [error('after-commit')] });

      expect(counters.ledger.rotations_undelivered).toBeGreaterThan(0);
      expect(counters.invalid_grant).toBeGreaterThan(0);
      expect(counters.ledger_agrees).toBe(true);
    });

    it('after the commit a grace window saves it', async () => {
      const counters = await sharedRun({ grace: { window: '1s' }, faults: [error('after-commit')] });

      expect(counters.ledger.rotations_undelivered).toBeGreaterThan(0);
      expect(counters.ledger.grace_replays).toBeGreaterThan(0);
      expect(counters.invalid_grant).toBe(0);
    });
  });
});
