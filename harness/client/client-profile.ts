import { z } from 'zod';
import { invalidOption, refuseIssue } from '../errors.js';
import { PINNED_CLAUDE_VERSION } from './claude-install.js';

/**
 * The built-in client's knobs, and the preset profiles named for what they do. A profile is only
 * a set of knob values; any knob given next to `profile` overrides the preset's value.
 *
 *   beside-only        the design note's client: one proper-lockfile lock at
 *                      `<realpath(dir)>.lock`, library stale/update, re-read once locked.
 *   inside-and-beside  Claude Code 2.1.197 as observed (shared/context/claude-code-observed.md):
 *                      `<dir>/.oauth_refresh.lock` (realpath off, stale 10 s), then the beside
 *                      lock; 5 retries 1-2 s apart; re-read before and after locking; on
 *                      invalid_grant the stored tokens are wiped and the process exits.
 *   no-lock            the control: nothing serialises refreshes.
 *
 * `clientSettingsSchema.parse({})` is `beside-only`, the client `compare` has always run.
 */
export const PROFILE_NAMES = ['beside-only', 'inside-and-beside', 'no-lock'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** proper-lockfile raises smaller values without a word; we refuse them instead. */
export const MIN_STALE_MS = 2000;
export const MIN_UPDATE_MS = 1000;

const millis = (maximum: number) => z.number().int().min(0).max(maximum);

const flockSchema = z.strictObject({
  /**
   * Where the external `flock(1)` lock file of the design note sits: `off`; `shared` =
   * `<config dir>/session.lock` (on the shared store); `local` = `$HOME/.tokenrace-session.lock`
   * (container-local in every layout); `home-claude` = `$HOME/.claude/session.lock`, the design
   * note's literal path (shared in legacy, where ~/.claude is the mount; local in shared).
   */
  placement: z.enum(['off', 'shared', 'local', 'home-claude']).default('off'),
  /** `flock -w`: how long one invocation waits for the session lock before giving up. */
  waitMs: millis(3_600_000).default(600_000),
  /** Session steps (store read + refresh or API call) per wrapped invocation. */
  stepsPerInvocation: z.number().int().min(1).max(10_000).default(5),
});

/**
 * Which client a container runs. `builtin` is the harness's own model, tuned by every other knob
 * here. `exec` runs `command` with `sh -c`; `claude-code` runs the published binary at `version`.
 * Those two are judged from outside (client/client-spec.ts), so the model's knobs mean nothing to
 * them and are refused beside them.
 */
export const CLIENT_KINDS = ['builtin', 'exec', 'claude-code'] as const;
/** The only fields that mean something when `kind` is not `builtin`. */
const REAL_CLIENT_FIELDS = new Set(['kind', 'command', 'version', 'label']);

const knobsShape = {
  kind: z.enum(CLIENT_KINDS).default('builtin'),
  /** `exec` only: run with `sh -c`, from the scenario file's directory. */
  command: z.string().trim().min(1).max(4096).optional(),
  /** `claude-code` only: an npm version; default: the pinned one (client/claude-install.ts). */
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, { error: 'expected a version such as 2.1.197' })
    .optional(),
  profile: z.enum([...PROFILE_NAMES, 'custom']).default('beside-only'),
  /** Names this client in events and reports when two clients share a fleet; default: profile. */
  label: z.string().min(1).max(40).optional(),
  lockPlacement: z.enum(['beside', 'inside', 'both', 'none']).default('beside'),
  /** realpath() the config dir before adding `.lock` (the beside lock). */
  realpath: z.boolean().default(true),
  /** realpath() the config dir for `<dir>/.oauth_refresh.lock` (the inside lock). */
  insideRealpath: z.boolean().default(false),
  staleMs: millis(86_400_000).default(10_000),
  updateMs: millis(86_400_000).default(5_000),
  lockRetries: z.number().int().min(0).max(100_000).default(40),
  lockRetryMinMs: millis(600_000).default(10),
  lockRetryMaxMs: millis(600_000).default(60),
  /** Re-read the store once the lock is held and adopt a token another process refreshed. */
  rereadAfterLock: z.boolean().default(true),
  /** `each-use`: read the store before every step; `once`: read at start, then keep it in memory. */
  tokenRead: z.enum(['each-use', 'once']).default('each-use'),
  /** Overrides the run's refresh margin when set. */
  refreshMarginMs: millis(86_400_000).optional(),
  /** Overrides the run's request timeout when set. */
  requestTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  /** `atomic`: temp file + rename; `in-place`: truncate the file and write into it. */
  writeMode: z.enum(['atomic', 'in-place']).default('atomic'),
  /**
   * In-place writes go out in two halves this far apart (a slow disk or network filesystem);
   * 0 writes in one call. Only meaningful with `writeMode: in-place`.
   */
  inPlaceGapMs: millis(60_000).default(0),
  onInvalidGrant: z.enum(['relogin', 'logout', 'wipe-store', 'reread-and-adopt']).default('relogin'),
  on401: z.enum(['refresh', 'reread']).default('reread'),
  flock: flockSchema.default({ placement: 'off', waitMs: 600_000, stepsPerInvocation: 5 }),
};

/** The knobs with defaults and nothing else: use this one to publish a JSON Schema. */
export const clientKnobsSchema = z.strictObject(knobsShape).superRefine(checkLockTimings).superRefine(checkKindFields);

/** Every knob of the built-in client, resolved. */
export type ClientKnobs = z.output<typeof clientKnobsSchema>;
export type ClientKnobsInput = z.input<typeof clientKnobsSchema>;

export const PROFILES: Record<ProfileName, Partial<ClientKnobsInput>> = {
  'beside-only': {},
  'inside-and-beside': {
    lockPlacement: 'both',
    realpath: true,
    insideRealpath: false,
    staleMs: 10_000,
    lockRetries: 5,
    lockRetryMinMs: 1000,
    lockRetryMaxMs: 2000,
    rereadAfterLock: true,
    onInvalidGrant: 'wipe-store',
  },
  'no-lock': { lockPlacement: 'none' },
};

/**
 * Knobs with presets: `{profile: 'no-lock', staleMs: 3000}` is the no-lock preset with that one
 * knob changed. Unknown keys, out-of-range numbers and proper-lockfile's silently clamped timings
 * are refused.
 */
export const clientSettingsSchema = z.preprocess(applyPreset, clientKnobsSchema);

function applyPreset(raw: unknown, context: z.RefinementCtx): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;

  const kind = (raw as { kind?: unknown }).kind;
  if (kind === 'exec' || kind === 'claude-code') {
    for (const [key, input] of Object.entries(raw)) {
      if (REAL_CLIENT_FIELDS.has(key)) continue;
      const message = `no built-in client knob with kind ${kind} (only command, version, label)`;
      context.addIssue({ code: 'custom', path: [key], input, message });
    }
    return raw;
  }

  const name = (raw as { profile?: unknown }).profile ?? 'beside-only';
  if (typeof name !== 'string' || !(name in PROFILES)) return raw;
  return { ...PROFILES[name as ProfileName], ...raw };
}

function checkKindFields(knobs: z.output<z.ZodObject<typeof knobsShape>>, context: z.RefinementCtx): void {
  const issue = (path: string, input: unknown, message: string) =>
    context.addIssue({ code: 'custom', path: [path], input, message });
  if (knobs.kind === 'exec' && knobs.command === undefined) issue('command', undefined, 'a command when kind is exec');
  if (knobs.kind !== 'exec' && knobs.command !== undefined) issue('command', knobs.command, 'no command unless kind is exec');
  if (knobs.kind !== 'claude-code' && knobs.version !== undefined) {
    issue('version', knobs.version, 'no version unless kind is claude-code');
  }
}

function checkLockTimings(knobs: z.output<z.ZodObject<typeof knobsShape>>, context: z.RefinementCtx): void {
  if (knobs.lockPlacement === 'none') return;

  const issue = (path: string, input: number, message: string) =>
    context.addIssue({ code: 'custom', path: [path], input, message });
  if (knobs.staleMs < MIN_STALE_MS) {
    issue('staleMs', knobs.staleMs, `at least ${MIN_STALE_MS} (proper-lockfile would raise it)`);
  }
  if (knobs.updateMs < MIN_UPDATE_MS) {
    issue('updateMs', knobs.updateMs, `at least ${MIN_UPDATE_MS} (proper-lockfile would raise it)`);
  }
  if (knobs.updateMs > knobs.staleMs / 2) {
    issue('updateMs', knobs.updateMs, `at most staleMs / 2 = ${knobs.staleMs / 2} (proper-lockfile would lower it)`);
  }
  if (knobs.lockRetryMinMs > knobs.lockRetryMaxMs) {
    issue('lockRetryMinMs', knobs.lockRetryMinMs, `at most lockRetryMaxMs (${knobs.lockRetryMaxMs})`);
  }
}

/** Several clients in one fleet: each entry runs its settings on `workers` containers. */
export const clientMixSchema = z
  .array(z.strictObject({ workers: z.number().int().min(1).max(256), client: clientSettingsSchema }))
  .min(1);
export type ClientMix = Array<{ workers: number; client: ClientKnobs }>;

/**
 * Validates knobs from a flag or a scenario file. The first problem throws ERR_INVALID_OPTION
 * naming `<field>.<knob>`, the value and what was expected.
 */
export function resolveClientSettings(input: unknown, field = 'client'): ClientKnobs {
  return parseOrThrow(clientSettingsSchema, input, field);
}

export function resolveClientMix(input: unknown, field = 'mix'): ClientMix {
  return parseOrThrow(clientMixSchema, input, field);
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, field: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;

  throw refuseIssue(parsed.error.issues[0]!, input, field);
}

/** Which client each worker (1-based) runs, for a fleet of `workers` containers. */
export function assignClients(mix: ClientMix, workers: number): ClientKnobs[] {
  const total = mix.reduce((sum, entry) => sum + entry.workers, 0);
  if (total !== workers) throw invalidOption('mix', total, `workers adding up to ${workers}`);
  return mix.flatMap((entry) => Array.from({ length: entry.workers }, () => entry.client));
}

/** A short label that tells two clients of one fleet apart in events and reports. */
export function clientLabel(knobs: ClientKnobs): string {
  if (knobs.label !== undefined) return knobs.label;
  if (knobs.kind === 'exec') return 'exec';
  if (knobs.kind === 'claude-code') return `claude-code@${knobs.version ?? PINNED_CLAUDE_VERSION}`;
  return knobs.profile;
}
