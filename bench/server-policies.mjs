// Prints what each server policy and endpoint fault does to both layouts: one short run per
// setting, 3 workers for 2 s, paths isolation. Figures only, no assertions (see test/ for those).
// Usage: npm run build && node bench/server-policies.mjs [workers] [duration-ms]
import { serverSettingsSchema } from '../dist/endpoint/server-settings.js';
import { countLayout } from '../dist/evidence/counters.js';
import { createRunClock } from '../dist/journal/clock.js';
import { Journal } from '../dist/journal/journal.js';
import { runLayout } from '../dist/run/run-layout.js';
import { BESIDE_ONLY_PROFILE } from '../dist/scenario/options.js';

const workers = Number(process.argv[2] ?? 3);
const durationMs = Number(process.argv[3] ?? 2000);

const SETTINGS = {
  strict: {},
  'family-revocation': { reuse: 'family-revocation' },
  'grace 1s': { grace: { window: '1s' } },
  'grace 1s, maxReuse 1': { grace: { window: '1s', maxReuse: 1 } },
  'revoke-access-on-refresh': { revokeAccessOnRefresh: true },
  'rate-limit 2/500ms': { rateLimit: { requests: 2, window: 500 } },
  'non-atomic 60ms': { rotation: 'non-atomic', rotationGap: 60 },
  '5xx before commit, every 2nd': { faults: [{ kind: 'error', phase: 'before-commit', every: 2 }] },
  '5xx after commit, every 2nd': { faults: [{ kind: 'error', phase: 'after-commit', every: 2 }] },
  '5xx after commit + grace': {
    grace: { window: '1s' },
    faults: [{ kind: 'error', phase: 'after-commit', every: 2 }],
  },
  'reset after commit, every 4th': { faults: [{ kind: 'reset', phase: 'after-commit', every: 4 }] },
  'hang 1s after commit, first 2': { faults: [{ kind: 'hang', hold: '1s', first: 2 }] },
  'latency lognormal 30/300ms': {
    faults: [{ kind: 'latency', distribution: 'lognormal', p50: 30, p99: 300 }],
  },
};

const columns = [
  ['refresh_ok', (c) => c.refresh_ok],
  ['invalid_grant', (c) => c.invalid_grant],
  ['refresh_errors', (c) => c.refresh_errors],
  ['relogins', (c) => c.relogins],
  ['api 401', (c) => c.api_unauthorized],
  ['revocations', (c) => c.ledger.family_revocations],
  ['429', (c) => c.ledger.rate_limited],
  ['grace', (c) => c.ledger.grace_replays],
  ['forks', (c) => c.ledger.forks],
  ['undelivered', (c) => c.ledger.rotations_undelivered],
  ['faults', (c) => Object.entries(c.ledger.faults_injected).map(([k, v]) => `${k}:${v}`).join(',') || '-'],
  ['agrees', (c) => (c.ledger_agrees ? 'yes' : 'NO')],
];

console.log(['setting', 'layout', ...columns.map(([name]) => name)].join('\t'));
for (const [name, input] of Object.entries(SETTINGS)) {
  for (const layout of ['legacy', 'shared']) {
    const journal = new Journal(null);
    await runLayout({
      layout,
      isolation: 'paths',
      workers,
      durationMs,
      seed: 11,
      tokenTtlMs: 600,
      refreshMarginMs: 250,
      refreshLatencyMs: 40,
      apiIntervalMs: 20,
      requestTimeoutMs: 500,
      profile: BESIDE_ONLY_PROFILE,
      server: serverSettingsSchema.parse(input),
      journal,
      clock: createRunClock(),
      signal: new AbortController().signal,
    });
    const counters = countLayout(journal.events, layout);
    console.log([name, layout, ...columns.map(([, pick]) => pick(counters))].join('\t'));
  }
}
