// Prints what the design note's external flock(1) wrapper costs: API calls per second and
// invalid_grant for each placement of its lock file, in the legacy and shared layouts.
// Usage: npm run build && node bench/flock-cost.mjs [workers] [durationMs]
import { resolveClientSettings } from '../dist/client/client-profile.js';
import { countLayout } from '../dist/evidence/counters.js';
import { DEFAULT_SERVER_SETTINGS } from '../dist/endpoint/server-settings.js';
import { createRunClock } from '../dist/journal/clock.js';
import { Journal } from '../dist/journal/journal.js';
import { runLayout } from '../dist/run/run-layout.js';

const workers = Number(process.argv[2] ?? 4);
const durationMs = Number(process.argv[3] ?? 4000);

console.log('layout  flock        api_ok/s  invalid_grant  flock_wait_ms');
for (const layout of ['legacy', 'shared']) {
  for (const placement of ['off', 'shared', 'local']) {
    const journal = new Journal(null);
    await runLayout({
      layout,
      isolation: 'paths',
      workers,
      durationMs,
      seed: 1,
      tokenTtlMs: 1000,
      refreshMarginMs: 400,
      refreshLatencyMs: 50,
      apiIntervalMs: 25,
      requestTimeoutMs: 5000,
      server: DEFAULT_SERVER_SETTINGS,
      profile: resolveClientSettings({ flock: { placement } }),
      journal,
      clock: createRunClock(),
      signal: new AbortController().signal,
    });
    const c = countLayout(journal.events, layout);
    const perSecond = (c.api_ok / (durationMs / 1000)).toFixed(1);
    console.log(`${layout.padEnd(7)} ${placement.padEnd(12)} ${perSecond.padStart(8)} ${String(c.invalid_grant).padStart(14)} ${String(c.flock_wait_ms).padStart(14)}`);
  }
}
