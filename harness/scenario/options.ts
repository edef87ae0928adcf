import { z } from 'zod';
import type { SessionProfile } from '../client/session.js';
import { invalidOption } from '../errors.js';
import type { IsolationRequest } from '../isolation/isolation.js';
import { durationSchema } from './duration.js';
import type { LayoutName } from '../journal/events.js';
import { REUSE_POLICIES, type ReusePolicy } from '../endpoint/server-settings.js';

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
  /** Client kinds, comma separated: builtin, claude-code[@version], exec (see client-spec.ts). */
  client: string;
  claudeBin: string;
  clientCmd: string;
  layouts: LayoutName[];
  /** `matrix` only: the Claude Code versions to run, oldest first. */
  versions: string[];
  /** The endpoint's answer to a replayed refresh token (server-settings.ts `reuse`). */
  reusePolicy: ReusePolicy;
}

interface OptionDefinition {
  key: keyof CompareOptions;
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
    key: 'client',
    flag: 'client',
    describe: 'client per container: builtin, claude-code[@version], exec; a comma list mixes them',
    default: '',
    expected: 'a comma list of builtin, claude-code[@version], exec',
    // Empty means builtin, or exec when --client-cmd is given (resolved below).
    schema: z.string().regex(/^((builtin|exec|claude-code(@[0-9A-Za-z.+-]+)?)(,|$))*$/),
  },
  {
    key: 'claudeBin',
    flag: 'claude-bin',
    describe: 'run this Claude Code binary (native, or a cli.js) instead of installing a version',
    default: '',
    expected: 'a file path',
    schema: z.string(),
  },
  {
    key: 'clientCmd',
    flag: 'client-cmd',
    describe: 'command each exec container runs (sh -c); implies --client exec',
    default: '',
    expected: 'a shell command',
    schema: z.string(),
  },
  {
    key: 'layouts',
    flag: 'layouts',
    describe: 'layouts to run, comma separated: legacy, shared, file-mount',
    default: 'legacy,shared',
    expected: 'a comma list of legacy, shared, file-mount, each at most once',
    schema: z
      .string()
      .transform((text) => text.split(',').map((name) => name.trim()))
      .pipe(z.array(z.enum(['legacy', 'shared', 'file-mount'])).min(1))
      .refine((names) => new Set(names).size === names.length),
  },
  {
    key: 'versions',
    flag: 'versions',
    describe: 'matrix: Claude Code versions to run, comma separated (e.g. 1.0.100,2.1.197)',
    default: '',
    expected: 'a comma list of published versions such as 2.1.197',
    schema: z
      .string()
      .transform((text) => (text === '' ? [] : text.split(',').map((name) => name.trim())))
      .pipe(z.array(z.string().regex(/^\d+\.\d+\.\d+$/))),
  },
  {
    key: 'reusePolicy',
    flag: 'reuse-policy',
    describe: 'endpoint answer to a replayed refresh token: strict, or family-revocation (RFC 9700)',
    default: 'strict',
    expected: 'one of strict, family-revocation',
    schema: z.enum(REUSE_POLICIES),
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
    const value = given === undefined || given === '' ? definition.default : given;
    if (definition.key === 'seed' && value === '') {
      resolved.seed = Math.floor(Math.random() * 2 ** 31);
      continue;
    }
    if (Array.isArray(value)) throw invalidOption(`--${definition.flag}`, value.join(' '), 'a single value');

    const parsed = definition.schema.safeParse(String(value));
    if (!parsed.success) throw invalidOption(`--${definition.flag}`, String(value), definition.expected);
    resolved[definition.key] = parsed.data;
  }

  const options = resolved as unknown as CompareOptions;
  if (options.client === '') options.client = options.clientCmd ? 'exec' : 'builtin';
  if (options.refreshMarginMs >= options.tokenTtlMs) {
    throw invalidOption('--refresh-margin', `${options.refreshMarginMs}ms`, `less than --token-ttl (${options.tokenTtlMs}ms)`);
  }
  return options;
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
