import ms from 'ms';
import type { z } from 'zod';
import { invalidOption } from '../errors.js';
import { parseDuration } from './duration.js';
import { describeIssue } from './scenario-issues.js';
import { DEFAULT_OUT_DIR, SCENARIO_DEFAULTS as D } from './scenario-defaults.js';

import { clientSettingsSchema } from '../client/client-profile.js';

/** The client `compare` runs by default: the `beside-only` preset, every knob at its default. */
export const BESIDE_ONLY_PROFILE = clientSettingsSchema.parse({});

/**
 * The flags of `compare` and `run`: each one names the scenario field it overrides. Their
 * defaults and their validation are the scenario's own (scenario-defaults.ts,
 * scenario-schema.ts), so a flag and a scenario file can never disagree on what a value means.
 */
export interface FlagDefinition {
  flag: string;
  /** The scenario field the flag overrides, as a path of keys. */
  path: readonly string[];
  /**
   * How the typed text reaches the schema: `count` digits as a number, `duration` ("4s") as
   * milliseconds, `text` as typed. What does not convert goes as typed, for the schema to refuse.
   */
  kind: 'count' | 'duration' | 'text' | 'list';
  describe: string;
  /** Shown in --help: the scenario default. */
  default: string;
}

export const FLAG_DEFINITIONS: readonly FlagDefinition[] = [
  flag('workers', ['workers'], 'count', 'containers (worker processes) per layout', D.workers),
  flag('duration', ['duration'], 'duration', 'how long the workload runs in each layout (e.g. 4s, 1500ms)', ms(D.duration)),
  flag('isolation', ['isolation'], 'text', 'how containers are made: namespace, paths, or auto', D.isolation),
  flag('seed', ['seed'], 'count', 'seed for lock-retry jitter (default: random, printed in the header)', 'random'),
  flag('token-ttl', ['tokenTtl'], 'duration', 'access token lifetime (compressed: real tokens live ~8h)', ms(D.tokenTtl)),
  flag('refresh-margin', ['refreshMargin'], 'duration', 'refresh this long before expiry (real: 5 min)', ms(D.refreshMargin)),
  flag('refresh-latency', ['server', 'refreshLatency'], 'duration', 'time the endpoint takes to answer a refresh', ms(D.server.refreshLatency)),
  flag('api-interval', ['workload', 'apiInterval'], 'duration', "pause between one session's API calls", ms(D.workload.apiInterval)),
  flag('request-timeout', ['client', 'requestTimeoutMs'], 'duration', 'client timeout for each HTTP request', ms(D.requestTimeout)),
  flag('layouts', ['layouts'], 'list', 'layouts to run, comma separated: legacy, shared, file-mount, host-symlink, copies', D.layouts.join(',')),
  flag('reuse-policy', ['server', 'reuse'], 'text', 'answer to a replayed refresh token: strict, family-revocation', 'strict'),
];

/**
 * Flags that choose the client the containers run (real-client runs, issue 5). They pick a
 * program, not a scenario knob, so they sit beside the scenario like `--out`.
 */
export const CLIENT_FLAGS = {
  client: {
    describe: 'client per container: builtin, claude-code[@version], exec; a comma list mixes them',
    default: 'builtin (exec with --client-cmd)',
  },
  'claude-bin': { describe: 'run this Claude Code binary (native, or a cli.js) instead of a version', default: '' },
  'client-cmd': { describe: 'command each exec container runs (sh -c); implies --client exec', default: '' },
  versions: { describe: 'matrix: Claude Code versions, comma separated (e.g. 1.0.100,2.1.197)', default: '' },
  'network-route': {
    describe: 'how real clients reach the mock: auto (/etc/hosts where namespaces allow), proxy (HTTPS_PROXY)',
    default: 'auto',
  },
} as const;

/** `proxy` forces the HTTPS_PROXY route; `auto` takes it only where /etc/hosts cannot be replaced. */
export const NETWORK_ROUTES = ['auto', 'proxy'] as const;
export type NetworkRouteChoice = (typeof NETWORK_ROUTES)[number];

export interface ClientFlags {
  client: string;
  claudeBin: string;
  clientCmd: string;
  versions: string[];
  networkRoute: NetworkRouteChoice;
}

const CLIENT_PATTERN = /^(builtin|exec|claude-code(@\d+\.\d+\.\d+)?)(,(builtin|exec|claude-code(@\d+\.\d+\.\d+)?))*$/;

/** Validates the client flags; refuses a bad one with its name, never guesses. */
export function resolveClientFlags(raw: Partial<Record<string, unknown>>): ClientFlags {
  const text = (name: string) => {
    const value = raw[name];
    if (Array.isArray(value)) throw invalidOption(`--${name}`, value.join(' '), 'a single value');
    return value === undefined ? '' : String(value);
  };
  const clientCmd = text('client-cmd');
  if (raw['client-cmd'] !== undefined && clientCmd.trim() === '') {
    throw invalidOption('--client-cmd', clientCmd, 'a command for every exec container to run');
  }
  if (clientCmd !== '' && text('client') !== '' && !text('client').split(',').includes('exec')) {
    throw invalidOption('--client-cmd', clientCmd, `no command unless --client includes exec (got --client ${text('client')})`);
  }
  const client = text('client') || (clientCmd ? 'exec' : 'builtin');
  if (!CLIENT_PATTERN.test(client)) {
    throw invalidOption('--client', client, 'a comma list of builtin, claude-code[@x.y.z], exec');
  }
  const versions = text('versions') === '' ? [] : text('versions').split(',').map((part) => part.trim());
  const bad = versions.find((version) => !/^\d+\.\d+\.\d+$/.test(version));
  if (bad !== undefined) throw invalidOption('--versions', text('versions'), 'a comma list of versions such as 2.1.197');
  const networkRoute = text('network-route') || 'auto';
  if (!isNetworkRoute(networkRoute)) throw invalidOption('--network-route', networkRoute, 'auto or proxy');
  return { client, claudeBin: text('claude-bin'), clientCmd, versions, networkRoute };
}

function isNetworkRoute(value: string): value is NetworkRouteChoice {
  return (NETWORK_ROUTES as readonly string[]).includes(value);
}

/** Flags that are about the run, not the scenario. */
export const RUN_FLAGS = {
  out: { describe: 'directory that receives <run-id>/report.json, report.md, events.ndjson', default: DEFAULT_OUT_DIR },
  'time-budget': {
    describe: 'stop the run and report it if it is still going after this long (wall clock)',
    default: 'auto',
  },
  'config-dir': {
    describe: 'keep the shared stores under DIR/<run id>/ for inspection instead of a temp dir',
    default: 'a temp dir, removed',
  },
} as const;

/** The flag that lets --config-dir point at a directory that looks like a real credential store. */
export const OVERWRITE_REAL_STORE_FLAG = 'i-know-this-overwrites-a-real-credential-store';

/** The run flags of issue 6, validated: how long a run may take and where its stores may go. */
export interface RunSafety {
  /** Wall-clock limit for the whole run; null: derived from the workload (see timeBudgetFor). */
  timeBudgetMs: number | null;
  /** Where the shared stores go instead of a temp dir; null: a temp dir, removed afterwards. */
  configDir: string | null;
  /** `--i-know-this-overwrites-a-real-credential-store`. */
  overwriteRealStore: boolean;
}

const TIME_BUDGET_RANGE_MS = [1_000, 86_400_000] as const;

/** Validates --time-budget, --config-dir and the override; refuses, never clamps. */
export function resolveRunSafety(raw: Partial<Record<string, unknown>>): RunSafety {
  const budget = raw['time-budget'];
  const configDir = raw['config-dir'];
  for (const [flag, value] of [['time-budget', budget], ['config-dir', configDir]] as const) {
    if (Array.isArray(value)) throw invalidOption(`--${flag}`, value.join(' '), 'a single value');
  }
  let timeBudgetMs: number | null = null;
  if (budget !== undefined && budget !== 'auto') {
    const parsed = parseDuration(String(budget));
    const [minimum, maximum] = TIME_BUDGET_RANGE_MS;
    if (parsed === null || parsed < minimum || parsed > maximum) {
      throw invalidOption('--time-budget', String(budget), 'auto, or a duration from 1s to 24h');
    }
    timeBudgetMs = parsed;
  }
  if (configDir !== undefined && (typeof configDir !== 'string' || configDir === '')) {
    throw invalidOption('--config-dir', String(configDir), 'a directory path');
  }
  return {
    timeBudgetMs,
    configDir: typeof configDir === 'string' ? configDir : null,
    overwriteRealStore: raw[OVERWRITE_REAL_STORE_FLAG] === true,
  };
}

/** Startup and teardown allowance per layout on top of the workload, for the automatic budget. */
const LAYOUT_OVERHEAD_MS = 45_000;
/**
 * Startup grows with the fleet (two Node boots per container): the same 1 s per worker that
 * run-layout.ts adds to its startup timeout, so a big fleet's budget covers its startup.
 */
const LAYOUT_OVERHEAD_PER_WORKER_MS = 1_000;

/**
 * The run's wall-clock budget: the flag, or twice what its layouts should take plus overhead.
 * A run past it is stopped and reported, so a wedged run never holds a CI job forever.
 */
export function timeBudgetFor(timeBudgetMs: number | null, workloadMs: number, layouts: number, workers: number): number {
  const overheadMs = LAYOUT_OVERHEAD_MS + LAYOUT_OVERHEAD_PER_WORKER_MS * workers;
  return timeBudgetMs ?? 2 * layouts * (workloadMs + overheadMs);
}

function flag(
  name: string,
  path: string[],
  kind: FlagDefinition['kind'],
  describe: string,
  shown: string | number,
): FlagDefinition {
  return { flag: name, path, kind, describe, default: String(shown) };
}

/**
 * The scenario fields the given flags set, shaped like a scenario file. A value that no flag
 * definition accepts is refused here with the flag's name (ERR_INVALID_OPTION).
 */
export function flagOverrides(raw: Partial<Record<string, unknown>>): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const definition of FLAG_DEFINITIONS) {
    const given = raw[definition.flag];
    if (given === undefined) continue;
    if (Array.isArray(given)) throw invalidOption(`--${definition.flag}`, given.join(' '), 'a single value');

    const text = String(given);
    setPath(overrides, definition.path, convert(definition.kind, text));
  }
  return overrides;
}

/**
 * Turns a scenario refusal caused by a flag back into a flag refusal, so `--workers 0` reads
 * `--workers: got "0", expected ...` rather than pointing into a file the user never wrote.
 */
export function flagIssue(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  raw: Partial<Record<string, unknown>>,
): Error | null {
  for (const issue of issues) {
    const definition = FLAG_DEFINITIONS.find((candidate) => startsWithPath(issue.path, candidate.path));
    if (!definition || raw[definition.flag] === undefined) continue;

    const described = describeIssue(issue, input);
    return invalidOption(`--${definition.flag}`, String(raw[definition.flag]), described.expected.replace(/^expected /, ''));
  }
  return null;
}

/**
 * A scenario's input with the given flags applied over it. `--duration` replaces a file's
 * `cycles`: the flag says how long to run, and both at once would be refused.
 */
export function applyFlags(input: unknown, raw: Partial<Record<string, unknown>>): unknown {
  if (!isObject(input)) return input;

  const overrides = flagOverrides(raw);
  const merged = mergeDeep(input, overrides);
  if ('duration' in overrides) delete merged.cycles;
  // --layouts picks which layouts run: expectations about the others have nothing to check.
  if (Array.isArray(overrides.layouts) && isObject(merged.expect)) {
    const kept = Object.entries(merged.expect).filter(([layout]) => (overrides.layouts as unknown[]).includes(layout));
    merged.expect = Object.fromEntries(kept);
  }
  return merged;
}

function convert(kind: FlagDefinition['kind'], text: string): unknown {
  if (kind === 'count') return /^-?\d+$/.test(text) ? Number(text) : text;
  if (kind === 'duration') return parseDuration(text) ?? text;
  if (kind === 'list') return text.split(',').map((part) => part.trim());
  return text;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cursor = target;
  for (const key of path.slice(0, -1)) cursor = (cursor[key] ??= {}) as Record<string, unknown>;
  cursor[path[path.length - 1]!] = value;
}

/** True when `path` is `prefix` or lies under it (`layouts.0` lies under `layouts`). */
function startsWithPath(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return path.length >= prefix.length && prefix.every((key, index) => key === path[index]);
}

function mergeDeep(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const inner = merged[key];
    const nested = isObject(inner) && isObject(value);
    merged[key] = nested ? mergeDeep(inner, value) : value;
  }
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
