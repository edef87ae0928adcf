import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import Tinypool from 'tinypool';
import { writeCredentials } from '../client/credentials-file.js';
import { SETTINGS_VARIABLE, type ClientSettings } from '../client/client-settings.js';
import { assignClients, clientLabel, type ClientKnobs, type ClientMix } from '../client/client-profile.js';
import type { SessionProfile } from '../client/session.js';
import { faultsForWorker, restartsKilled, type WorkerFaults } from '../fleet/worker-faults.js';
import { seedCopies } from '../layout/extra-layouts.js';
import {
  filesystemType,
  overlayHome,
  placeFilesystems,
  type Filesystems,
  type PlacedFilesystems,
} from '../layout/filesystems.js';
import { plantFutureLocks } from '../fleet/future-locks.js';
import { TokenClient } from '../client/token-client.js';
import type { ServerSettings } from '../endpoint/server-settings.js';
import { startTokenEndpoint } from '../endpoint/token-endpoint.js';
import { TokenraceError } from '../errors.js';
import type { ContainerResult, ContainerTask } from '../fleet/container-worker.js';
import { EventChannel } from '../fleet/event-channel.js';
import { containerCommand } from '../isolation/isolation.js';
import { epochNowMs, type RunClock } from '../journal/clock.js';
import type { ClientEvent, LayoutName } from '../journal/events.js';
import type { Journal } from '../journal/journal.js';
import {
  createRunTree,
  planContainer,
  type ContainerPlan,
  type IsolationName,
  type RunTree,
} from '../layout/layouts.js';
import { compiledModule } from '../paths.js';
import type { WorkerCrashRecord } from '../report/harness-faults.js';
import { reapMarkedProcesses } from '../safety/reaper.js';
import { currentRunMarker, RUN_MARKER_VARIABLE, SCRATCH_DIR_VARIABLE } from '../safety/run-marker.js';
import { RealClientDriver, type RealClientSetup } from './real-client-driver.js';

/**
 * One layout, start to finish: a fresh endpoint and store, N containers started through
 * tinypool, a common start signal, the workload until the deadline, then teardown. Everything
 * observed goes into the journal; nothing is counted here.
 */
export interface LayoutRunOptions {
  layout: LayoutName;
  isolation: IsolationName;
  workers: number;
  durationMs: number;
  seed: number;
  tokenTtlMs: number;
  refreshMarginMs: number;
  refreshLatencyMs: number;
  apiIntervalMs: number;
  requestTimeoutMs: number;
  profile: SessionProfile;
  /**
   * The clients of the fleet, when not every worker runs `profile`: e.g. `[{workers: 3, client:
   * beside-only}, {workers: 1, client: {...inside-and-beside, label: 'helper'}}]`, workers in order.
   */
  client?: ClientMix;
  /** Faults done to the containers (fleet/worker-faults.ts); none by default. */
  workerFaults?: WorkerFaults;
  /** Filesystems of the store and the homes (layout/filesystems.ts); disk by default. */
  filesystems?: Filesystems;
  /** The endpoint's rotation policy, rate limit and faults (`compare`: the strict server). */
  server: ServerSettings;
  journal: Journal;
  clock: RunClock;
  signal: AbortSignal;
  /** `--config-dir`: the layout's store goes to `<storeRoot>/<layout>/store` and is kept. */
  storeRoot?: string | null;
  /** Set when some containers run real clients (the Claude Code binary or a command). */
  realClients?: RealClientSetup;
}

/** A container that ended on its own while the run still needed it (issue 6). */
export type WorkerCrash = WorkerCrashRecord;

export interface LayoutRunResult {
  layout: LayoutName;
  interrupted: boolean;
  crashes: WorkerCrash[];
  startedAt: number;
  endedAt: number;
  workers: ContainerResult[];
}

const DEFAULT_FILESYSTEMS: Filesystems = { store: 'disk', home: 'disk' };

/**
 * How long containers get to start and say hello before the run is called broken: a fixed part
 * plus a part per worker. Start-up is CPU-bound: each container costs two Node boots (its
 * tinypool worker, about 0.15 s of CPU, and its client, about 0.5 s, mostly Node and undici), so 64
 * containers need some 50 s of CPU. On a loaded 2-core machine that took 40 s of wall time; a
 * fixed 30 s was enough for 8 workers and failed at 64. Starting containers a few at a time
 * would not help: the CPU they need is the same, only its order changes.
 */
const STARTUP_BASE_MS = 30_000;
const STARTUP_PER_WORKER_MS = 1_000;

/** The start-up timeout of a layout with `workers` containers (94 s for 64). */
export function startupTimeoutMs(workers: number): number {
  return STARTUP_BASE_MS + STARTUP_PER_WORKER_MS * workers;
}
/** How long sessions get after their deadline (or a stop) before they are killed. */
const SHUTDOWN_GRACE_MS = 5_000;
const REAL_CLIENT_SHUTDOWN_GRACE_MS = 40_000;

export async function runLayout(options: LayoutRunOptions): Promise<LayoutRunResult> {
  const { journal, clock, layout } = options;
  const scratch = await mkdtemp(path.join(tmpdir(), `tokenrace-${layout}-`));
  const resources: Array<() => Promise<unknown>> = [
    () => rm(scratch, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 }),
    // Runs before the rm above (resources are released in reverse): nothing may write into the
    // temp dir while it is removed, and nothing of the layout may outlive it.
    () => reapMarkedProcesses(currentRunMarker() ?? ''),
  ];
  const placed = await placeFilesystems(options.filesystems ?? DEFAULT_FILESYSTEMS);
  resources.push(placed.remove);
  const release = async () => {
    for (const close of resources.reverse()) await close().catch(() => undefined);
  };

  try {
    return await runInScratch(options, scratch, resources, placed);
  } finally {
    await release();
  }
}

async function runInScratch(
  options: LayoutRunOptions,
  scratch: string,
  resources: Array<() => Promise<unknown>>,
  placed: PlacedFilesystems,
): Promise<LayoutRunResult> {
  const { journal, clock, layout, workers } = options;
  const kept = options.storeRoot ? { storeParent: path.join(options.storeRoot, layout) } : {};
  const tree = await createRunTree(scratch, { ...placed, ...kept });
  const clients = assignClients(options.client ?? [{ workers, client: options.profile }], workers);
  const faults = options.workerFaults ?? [];
  const filesystems = options.filesystems ?? DEFAULT_FILESYSTEMS;
  await mkdir(path.join(scratch, 'faults'));
  let seq = 0;
  const driver = options.realClients
    ? new RealClientDriver(options.realClients, { ...options, journal, clock })
    : null;

  const endpoint = await startTokenEndpoint({
    accessTtlMs: options.tokenTtlMs,
    refreshLatencyMs: options.refreshLatencyMs,
    server: options.server,
    seed: options.seed,
    onLedger: (entry) => journal.append({ t: clock.now(), layout, type: 'ledger', seq: ++seq, ...entry }),
    ...driver?.endpointOptions(),
  });
  resources.push(() => endpoint.close());
  if (driver) resources.push(await driver.start(scratch, tree, endpoint));

  const lastEvents = new Map<number, string>();
  const hellos = new Set<number>();
  let allHello: () => void = () => undefined;
  const allReady = new Promise<void>((resolve) => (allHello = resolve));
  const channel = await EventChannel.listen(path.join(scratch, 'events.sock'), {
    onHello: (worker) => {
      hellos.add(worker);
      if (hellos.size === workers) allHello();
    },
    onEvent: (worker, event) => {
      lastEvents.set(worker, String(event.type));
      journal.append({ ...(event as unknown as ClientEvent), layout, worker });
    },
  });
  resources.push(() => channel.close());

  // Planned before the pool starts: once N worker processes boot, the CPU is theirs and these
  // few file operations per container would wait seconds for it.
  const plans: ContainerPlan[] = [];
  for (let worker = 1; worker <= workers; worker += 1) {
    const plan = await planContainer(tree, options.layout, options.isolation, worker);
    plans.push(filesystems.home === 'overlay' ? await overlayHome(tree, plan) : plan);
  }

  const pool = new Tinypool({
    filename: compiledModule('fleet/container-worker'),
    runtime: 'child_process',
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    // The run marker lets leftover checks find every process of the run (safety/leftovers.ts).
    env: { ...(process.env as Record<string, string>), [SCRATCH_DIR_VARIABLE]: scratch },
    // Loaded before any task, so a coordinator killed while workers start still gets cleaned up.
    execArgv: ['--import', pathToFileURL(compiledModule('fleet/orphan-guard')).href],
  });
  resources.push(() => pool.destroy());

  const labels = clients.map(clientLabel);
  journal.append({
    t: clock.now(),
    layout,
    type: 'layout_start',
    workers,
    isolation: options.isolation,
    profile: [...new Set(labels)].join('+'),
    clients: labels,
    filesystems: {
      store: await filesystemType(tree.store),
      home: filesystems.home === 'overlay' ? 'overlay' : await filesystemType(tree.homes),
    },
  });
  const startedAt = clock.now();
  const tasks: Promise<ContainerResult>[] = [];
  const crashes: WorkerCrash[] = [];
  const crashed = new AbortController();
  let settled = false;
  const onEnd = (result: ContainerResult) => {
    if (settled || isClean(result) || isInjectedKill(result, faults)) return;
    const lastEvent = lastEvents.get(result.worker) ?? null;
    const { worker, exitCode, signal, stderrTail } = result;
    crashes.push({ layout, worker, exitCode, signal, lastEvent, stderrTail });
    // One container gone means the run no longer measures what it claims to: stop the rest now
    // and report what ran, rather than wait out the deadline or hang on a missing hello.
    channel.broadcast({ type: 'stop' });
    crashed.abort();
  };
  // file-mount bind-mounts the store's credentials file itself, so it must exist before any
  // container mounts it; a later seed by rename would replace the inode the mounts point at.
  const seedFirst = !driver && layout === 'file-mount';
  if (seedFirst) await seedStore(endpoint.url, tree.configDir);
  for (const plan of plans) {
    const context = { client: clients[plan.worker - 1]!, faults, scratch };
    const socketPath = path.join(scratch, 'events.sock');
    // Built-in clients beside real ones refresh on the real client's 5-minute margin.
    const builtin = driver ? { ...options, refreshMarginMs: driver.refreshMarginMs } : options;
    const realTask = driver?.taskFor(plan.worker, plan, socketPath, endpoint.url);
    const task = realTask ?? buildTask(builtin, tree, plan, context, endpoint.url, socketPath);
    const run = (pool.run(task) as Promise<ContainerResult>).catch((error) => workerDied(plan.worker, error));
    // A real client's exit code is evidence judged by real-client-driver.ts, not a harness crash.
    tasks.push(realTask ? run : run.then((result) => (onEnd(result), result)));
  }
  const finished = Promise.all(tasks);
  const signal = AbortSignal.any([options.signal, crashed.signal]);

  const started = await waitForStart(allReady, finished, signal, startupTimeoutMs(workers));
  if (started === 'ready') {
    // Real-client runs seeded the store before their containers mounted it.
    if (!driver && !seedFirst) await seedStore(endpoint.url, tree.configDir);
    await seedCopies(layout, tree, plans);
    await plantFutureLocks(faults, plans, (aheadMs, lockPath) =>
      journal.append({ t: clock.now(), layout, type: 'worker_fault', worker: 0, kind: 'future-lock', lockPath, aheadMs }),
    );
    channel.broadcast({ type: 'go', deadlineEpochMs: epochNowMs() + options.durationMs });
  }

  const interrupted = options.signal.aborted;
  const results = await waitForEnd(finished, channel, { ...options, signal }, started !== 'ready');
  settled = true;
  for (const result of results) {
    journal.append({ t: clock.now(), layout, type: 'worker_exit', ...result, stderrTail: isClean(result) ? '' : result.stderrTail });
  }
  for (const crash of crashes) journal.append({ t: clock.now(), type: 'worker_crash', ...crash });
  await driver?.finish();
  const endedAt = clock.now();
  journal.append({ t: endedAt, layout, type: 'layout_end', interrupted });

  if (started === 'timeout' && crashes.length === 0) {
    const seconds = startupTimeoutMs(workers) / 1000;
    throw new TokenraceError('ERR_WORKER_STARTUP', `${hellos.size} of ${workers} containers were ready after ${seconds} s, the startup timeout (30 s + 1 s per worker)`);
  }
  if (started === 'crashed' && crashes.length === 0) {
    const crashed = results.find((result) => !isClean(result));
    throw new TokenraceError('ERR_WORKER_STARTUP', `worker ${crashed?.worker ?? '?'} ended before the run started: ${crashed?.stderrTail.split('\n')[0] ?? 'no output'}`);
  }
  return { layout, interrupted, crashes, startedAt, endedAt, workers: results };
}

function buildTask(
  options: LayoutRunOptions,
  tree: RunTree,
  plan: ContainerPlan,
  context: { client: ClientKnobs; faults: WorkerFaults; scratch: string },
  endpointUrl: string,
  socketPath: string,
): ContainerTask {
  const { worker } = plan;
  const faults = faultsForWorker(context.faults, worker);
  const settings: ClientSettings = {
    worker,
    layout: options.layout,
    socketPath,
    endpointUrl,
    clockOriginEpochMs: options.clock.originEpochMs,
    mountPoints: plan.mountPoints,
    refreshMarginMs: options.refreshMarginMs,
    apiIntervalMs: options.apiIntervalMs,
    requestTimeoutMs: options.requestTimeoutMs,
    seed: options.seed,
    profile: context.client,
    clientLabel: clientLabel(context.client),
    faults,
    faultStatePath: path.join(context.scratch, 'faults', `w${worker}.json`),
  };
  const client = [process.execPath, compiledModule('client/client-main')];
  const { file, args } = containerCommand(options.isolation, plan, client);
  // Built from nothing, so a user's own CLAUDE_CONFIG_DIR can never leak into a container.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    [RUN_MARKER_VARIABLE]: currentRunMarker() ?? '',
    ...plan.env,
    [SETTINGS_VARIABLE]: JSON.stringify(settings),
  };
  return { worker, file, args, env, cwd: tree.root, restartKilled: restartsKilled(faults) };
}

/** The store starts with one logged-in session, as a person's first /login leaves it. */
async function seedStore(endpointUrl: string, configDir: string): Promise<void> {
  const client = new TokenClient({ baseUrl: endpointUrl, worker: 0, requestTimeoutMs: 5_000, now: Date.now });
  try {
    const login = await client.login();
    if (login.status !== 'ok') throw new TokenraceError('ERR_WORKER_STARTUP', 'the endpoint refused the first login');
    await writeCredentials(configDir, login.credentials);
  } finally {
    await client.close();
  }
}

async function waitForStart(
  allReady: Promise<void>,
  finished: Promise<unknown>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<'ready' | 'crashed' | 'aborted' | 'timeout'> {
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const timeout = sleep(timeoutMs, 'timeout' as const, { ref: false });
  return Promise.race([allReady.then(() => 'ready' as const), finished.then(() => 'crashed' as const), aborted, timeout]);
}

async function waitForEnd(
  finished: Promise<ContainerResult[]>,
  channel: EventChannel,
  options: LayoutRunOptions,
  stopNow: boolean,
): Promise<ContainerResult[]> {
  const stop = () => channel.broadcast({ type: 'stop' });
  if (stopNow) stop();
  options.signal.addEventListener('abort', stop, { once: true });

  // A real client's last run may start just before the deadline and take seconds to finish.
  const graceMs = options.realClients ? REAL_CLIENT_SHUTDOWN_GRACE_MS : SHUTDOWN_GRACE_MS;
  const hardLimitMs = (stopNow ? 0 : options.durationMs) + graceMs;
  const outcome = await Promise.race([finished, sleep(hardLimitMs, null, { ref: false }), abortedThenGrace(options.signal)]);
  if (outcome) return outcome;

  // Sessions that ignore stop and deadline are killed with their workers.
  stop();
  return Promise.race([finished, sleep(SHUTDOWN_GRACE_MS, [] as ContainerResult[], { ref: false })]);
}

async function abortedThenGrace(signal: AbortSignal): Promise<null> {
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sleep(SHUTDOWN_GRACE_MS, undefined, { ref: false });
  return null;
}

/** The tinypool worker process itself died (not its client): tinypool rejects its task. */
function workerDied(worker: number, error: unknown): ContainerResult {
  const message = error instanceof Error ? error.message : String(error);
  return { worker, exitCode: null, signal: null, stderrTail: `worker process died: ${message}`, kills: 0, restarts: 0 };
}

/** A SIGKILL the scenario asked for (a kill fault) is part of the experiment, not a crash. */
function isInjectedKill(result: ContainerResult, faults: WorkerFaults): boolean {
  const mine = faultsForWorker(faults, result.worker);
  return result.signal === 'SIGKILL' && mine.some((fault) => 'restart' in fault);
}

function isClean(result: ContainerResult): boolean {
  return result.exitCode === 0 && result.signal === null;
}
