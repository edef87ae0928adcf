import { resolveClientMix, resolveClientSettings } from '../../harness/client/client-profile.js';
import { DEFAULT_SERVER_SETTINGS } from '../../harness/endpoint/server-settings.js';
import { countLayout, type LayoutCounters } from '../../harness/evidence/counters.js';
import { resolveWorkerFaults } from '../../harness/fleet/worker-faults.js';
import { createRunClock } from '../../harness/journal/clock.js';
import type { JournalEvent, LayoutName } from '../../harness/journal/events.js';
import { Journal } from '../../harness/journal/journal.js';
import type { IsolationName } from '../../harness/layout/layouts.js';
import { resolveFilesystems } from '../../harness/layout/filesystems.js';
import { runLayout } from '../../harness/run/run-layout.js';

/** One layout run with client knobs and faults, short, for a test: counters and events back. */
export interface FleetRun {
  layout?: LayoutName;
  isolation?: IsolationName;
  workers?: number;
  durationMs?: number;
  tokenTtlMs?: number;
  refreshMarginMs?: number;
  refreshLatencyMs?: number;
  requestTimeoutMs?: number;
  client?: unknown;
  mix?: unknown;
  workerFaults?: unknown;
  filesystems?: unknown;
  seed?: number;
  /** Keep the store here (a directory that exists) instead of the run's temp dir. */
  storeRoot?: string;
}

export async function runFleet(run: FleetRun): Promise<{ counters: LayoutCounters; events: JournalEvent[] }> {
  const layout = run.layout ?? 'shared';
  const isolation = run.isolation ?? 'paths';
  const workers = run.workers ?? 3;
  const journal = new Journal(null);
  await runLayout({
    layout,
    isolation,
    workers,
    durationMs: run.durationMs ?? 2000,
    seed: run.seed ?? 11,
    tokenTtlMs: run.tokenTtlMs ?? 1000,
    refreshMarginMs: run.refreshMarginMs ?? 400,
    refreshLatencyMs: run.refreshLatencyMs ?? 50,
    apiIntervalMs: 25,
    requestTimeoutMs: run.requestTimeoutMs ?? 5000,
    server: DEFAULT_SERVER_SETTINGS,
    profile: resolveClientSettings(run.client ?? {}),
    ...(run.mix ? { client: resolveClientMix(run.mix) } : {}),
    workerFaults: resolveWorkerFaults(run.workerFaults ?? []),
    filesystems: resolveFilesystems(run.filesystems ?? {}, isolation),
    journal,
    clock: createRunClock(),
    signal: new AbortController().signal,
    storeRoot: run.storeRoot ?? null,
  });
  return { counters: countLayout(journal.events, layout), events: journal.events };
}

export function eventsOf<T extends JournalEvent['type']>(events: readonly JournalEvent[], type: T): Array<Extract<JournalEvent, { type: T }>> {
  return events.filter((event): event is Extract<JournalEvent, { type: T }> => event.type === type);
}
