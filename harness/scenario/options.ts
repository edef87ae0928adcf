import { z } from 'zod';
import type { SessionProfile } from '../client/session.js';
import { invalidOption } from '../errors.js';
import type { IsolationRequest } from '../isolation/isolation.js';
import { durationSchema } from './duration.js';

/**
 * Every knob of a `compare` run, defined once: its flag, its default, what values it accepts and
 * how it is described. The CLI's flags and the validation both come from this table, so they
 * cannot drift apart. Values out of range are refused, never clamped.
 */
export interface CompareOptions {
  workers: number;
  durationMs: number;
  isolation: IsolationRequest;
  seed: number;
  out: string;
  tokenTtlMs: number;
  refreshMarginMs: number;
  refreshLatencyMs: number;
  apiIntervalMs: number;
  requestTimeoutMs: number;
  /** Wall-clock limit for the whole run; null: derived from the duration (see timeBudgetFor). */
  timeBudgetMs: number | null;
  /** Where the shared stores go instead of a temp dir; null: a temp dir, removed afterwards. */
  configDir: string | null;
  /** `--i-know-this-overwrites-a-real-credential-store`: lets --config-dir point at a real store. */
  overwriteRealStore: boolean;
}

/** The flag that lets --config-dir point at a directory that looks like a real credential store. */
export const OVERWRITE_REAL_STORE_FLAG = 'i-know-this-overwrites-a-real-credential-store';

interface OptionDefinition {
  key: Exclude<keyof CompareOptions, 'overwriteRealStore'>;
  flag: string;
  describe: string;
  default: string;
  expected: string;
  schema: z.ZodType<unknown>;
}

const duration = durationSchema;

const wholeNumber = (minimum: number, maximum: number) =>
  z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .refine((value) => value >= minimum && value <= maximum);

export const OPTION_DEFINITIONS: readonly OptionDefinition[] = [
  {
    key: 'workers',
    flag: 'workers',
    describe: 'containers (worker processes) per layout',
    default: '8',
    expected: 'a whole number from 1 to 256',
    schema: wholeNumber(1, 256),
  },
  {
    key: 'durationMs',
    flag: 'duration',
    describe: 'how long the workload runs in each layout (e.g. 4s, 1500ms)',
    default: '4s',
    expected: 'a duration from 100ms to 1h, such as 4s or 1500ms',
    schema: duration(100, 3_600_000),
  },
  {
    key: 'isolation',
    flag: 'isolation',
    describe: 'how containers are made: namespace, paths, or auto (namespace where it works)',
    default: 'auto',
    expected: 'one of auto, namespace, paths',
    schema: z.enum(['auto', 'namespace', 'paths']),
  },
  {
    key: 'seed',
    flag: 'seed',
    describe: 'seed for lock-retry jitter (default: random, printed in the header)',
    default: '',
    expected: 'a whole number from 0 to 4294967295',
    schema: wholeNumber(0, 4_294_967_295),
  },
  {
    key: 'out',
    flag: 'out',
    describe: 'directory that receives <run-id>/report.json, report.md, events.ndjson',
    default: 'reports',
    expected: 'a directory path',
    schema: z.string().min(1),
  },
  {
    key: 'tokenTtlMs',
    flag: 'token-ttl',
    describe: 'access token lifetime (compressed: real tokens live ~8h)',
    default: '1000ms',
    expected: 'a duration from 50ms to 1h',
    schema: duration(50, 3_600_000),
  },
  {
    key: 'refreshMarginMs',
    flag: 'refresh-margin',
    describe: 'refresh this long before expiry (compressed: real clients use 5 min)',
    default: '400ms',
    expected: 'a duration from 0ms to 1h',
    schema: duration(0, 3_600_000),
  },
  {
    key: 'refreshLatencyMs',
    flag: 'refresh-latency',
    describe: 'time the mock endpoint takes to answer a refresh',
    default: '50ms',
    expected: 'a duration from 0ms to 60s',
    schema: duration(0, 60_000),
  },
  {
    key: 'apiIntervalMs',
    flag: 'api-interval',
    describe: 'pause between one session\'s API calls',
    default: '25ms',
    expected: 'a duration from 1ms to 60s',
    schema: duration(1, 60_000),
  },
  {
    key: 'requestTimeoutMs',
    flag: 'request-timeout',
    describe: 'client timeout for each HTTP request',
    default: '5s',
    expected: 'a duration from 100ms to 5min',
    schema: duration(100, 300_000),
  },
  {
    key: 'timeBudgetMs',
    flag: 'time-budget',
    describe: 'stop the run and report it if it is still going after this long (wall clock)',
    default: 'auto',
    expected: 'auto, or a duration from 1s to 24h',
    schema: z.union([z.literal('auto').transform(() => null), duration(1_000, 86_400_000)]),
  },
  {
    key: 'configDir',
    flag: 'config-dir',
    describe: 'keep the shared stores under DIR/<run id>/ for inspection instead of a temp dir',
    default: '',
    expected: 'a directory path',
    schema: z.string().min(1),
  },
];

/**
 * Validates raw flag values (strings, as typed) into options. The first bad value throws
 * ERR_INVALID_OPTION naming the flag, the value and what was expected.
 */
export function resolveOptions(raw: Partial<Record<string, unknown>>): CompareOptions {
  const resolved: Record<string, unknown> = {};
  for (const definition of OPTION_DEFINITIONS) {
    const given = raw[definition.flag];
    // An empty value (`--workers` with nothing after it) is a mistake, not a request for the
    // default; only the seed's default is empty (random).
    const value = given === undefined ? definition.default : given;
    if (definition.key === 'seed' && value === '') {
      resolved.seed = Math.floor(Math.random() * 2 ** 31);
      continue;
    }
    if (definition.key === 'configDir' && given === undefined) {
      resolved.configDir = null;
      continue;
    }
    if (Array.isArray(value)) throw invalidOption(`--${definition.flag}`, value.join(' '), 'a single value');

    const parsed = definition.schema.safeParse(String(value));
    if (!parsed.success) throw invalidOption(`--${definition.flag}`, String(value), definition.expected);
    resolved[definition.key] = parsed.data;
  }

  resolved.overwriteRealStore = raw[OVERWRITE_REAL_STORE_FLAG] === true;
  const options = resolved as unknown as CompareOptions;
  if (options.refreshMarginMs >= options.tokenTtlMs) {
    throw invalidOption('--refresh-margin', `${options.refreshMarginMs}ms`, `less than --token-ttl (${options.tokenTtlMs}ms)`);
  }
  return options;
}

/** Startup and teardown allowance per layout on top of the workload, for the automatic budget. */
const LAYOUT_OVERHEAD_MS = 45_000;

/**
 * The run's wall-clock budget: the flag, or twice what two layouts should take plus overhead.
 * A run past it is stopped and reported, so a wedged run never holds a CI job forever.
 */
export function timeBudgetFor(options: Pick<CompareOptions, 'timeBudgetMs' | 'durationMs'>): number {
  return options.timeBudgetMs ?? 2 * 2 * (options.durationMs + LAYOUT_OVERHEAD_MS);
}

/**
 * The design note's client: one proper-lockfile lock beside the config dir, `realpath` on,
 * library `stale`/`update` defaults, and a re-read of the store once the lock is held.
 * Retries are compressed like token lifetimes (the real client sleeps 1-2 s, 5 times).
 */
export const BESIDE_ONLY_PROFILE: SessionProfile = {
  name: 'beside-only',
  realpath: true,
  staleMs: 10_000,
  updateMs: 5_000,
  lockRetries: 40,
  lockRetryMinMs: 10,
  lockRetryMaxMs: 60,
  rereadAfterLock: true,
};
