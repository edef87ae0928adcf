import { z } from 'zod';
import { serverSettingsSchema } from '../endpoint/server-settings.js';
import { ALL_LAYOUTS } from '../layout/layouts.js';
import type { LayoutName } from '../journal/events.js';
import type { SessionProfile } from '../client/session.js';
import { COUNTER_NAMES, isCounterName } from './counter-names.js';
import { expectationSchema } from './expectation.js';
import { resolveClientProfile } from './scenario-client.js';
import { duration, oneOf, wholeNumber, yesNo } from './fields.js';
import {
  LOCKFILE_MIN_STALE_MS,
  LOCKFILE_MIN_UPDATE_MS,
  SCENARIO_DEFAULTS as D,
} from './scenario-defaults.js';

/**
 * A scenario: one validated object holding every knob of a run, read from a JSON file in
 * `scenarios/` (or built from `compare`'s flags). Every field but name and description has a
 * default (scenario-defaults.ts). Unknown fields are refused, so a typo never silently runs the
 * default. `scenarios/schema.json` is generated from this schema for editors.
 */

export const isolationRequestSchema = oneOf(['auto', 'namespace', 'paths']);

const layoutSchema = oneOf(ALL_LAYOUTS as unknown as [LayoutName, ...LayoutName[]]);

/**
 * The endpoint: its rotation policy, rate limit and faults (endpoint/server-settings.ts), plus
 * how long it takes to answer a refresh when no latency fault says otherwise.
 */
const serverSchema = serverSettingsSchema
  .extend({
    refreshLatency: duration(0, 60_000)
      .default(D.server.refreshLatency)
      .meta({ description: 'time the mock endpoint takes to answer a refresh' }),
  })
  .meta({ description: 'the mock token endpoint: policy, rate limit, faults' });

/** The knobs of the built-in client; omitted ones come from the named profile. */
const clientSchema = z
  .strictObject({
    profile: oneOf(['beside-only']).default(D.client.profile),
    realpath: yesNo().optional().meta({ description: 'resolve symlinks in the lock path' }),
    stale: duration(0, 3_600_000)
      .optional()
      .meta({ description: 'proper-lockfile `stale`; at least 2s (the library raises lower values)' }),
    update: duration(0, 3_600_000)
      .optional()
      .meta({ description: 'proper-lockfile `update`; from 1s to stale/2 (the library moves others)' }),
    retries: wholeNumber(0, 10_000).optional().meta({ description: 'lock attempts after the first' }),
    retryMin: duration(0, 60_000).optional().meta({ description: 'shortest pause between lock attempts' }),
    retryMax: duration(0, 60_000).optional().meta({ description: 'longest pause between lock attempts' }),
    rereadAfterLock: yesNo()
      .optional()
      .meta({ description: 're-read the store once the lock is held and adopt a newer token' }),
    requestTimeout: duration(100, 300_000)
      .default(D.client.requestTimeout)
      .meta({ description: 'client timeout for each HTTP request' }),
  })
  .meta({ description: 'the client every container runs: a profile and knobs over it' });

// TODO(scope): worker and endpoint faults arrive with the server and client branches; until then
// any fault is refused rather than silently ignored.
const faultsSchema = z.strictObject({}).meta({ description: 'faults injected into the run' });

const workloadSchema = z
  .strictObject({
    apiInterval: duration(1, 60_000)
      .default(D.workload.apiInterval)
      .meta({ description: "pause between one session's API calls" }),
  })
  .meta({ description: 'what each session does between refreshes' });

const counterNameSchema = z
  .string()
  .refine(isCounterName, { error: 'expected a counter name (listed in scenarios/schema.json)' })
  .meta({ examples: COUNTER_NAMES, description: `a counter: ${COUNTER_NAMES.join(', ')}` });

const expectSchema = z
  .partialRecord(layoutSchema, z.record(counterNameSchema, expectationSchema))
  .meta({ description: 'per layout, per counter: what the run must observe' });

const scenarioObject = z.strictObject({
  $schema: z.string().optional(),
  name: z
    .string({ error: 'expected a name of lowercase letters, digits and dashes' })
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: 'expected a name of lowercase letters, digits and dashes' }),
  description: z.string({ error: 'expected a one-line description' }).min(1, { error: 'expected a one-line description' }),
  sources: z
    .array(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }), { error: 'expected a list of URLs' })
    .default([])
    .meta({ description: 'public reports this scenario reproduces' }),
  workers: wholeNumber(1, 256).default(D.workers).meta({ description: 'containers per layout' }),
  duration: duration(100, 3_600_000)
    .optional()
    .meta({ description: `workload time per layout (default ${D.duration} ms); or give cycles` }),
  cycles: wholeNumber(1, 10_000)
    .optional()
    .meta({ description: 'workload time per layout in token lifetimes (cycles × tokenTtl)' }),
  seed: wholeNumber(0, 4_294_967_295).optional().meta({ description: 'lock-jitter seed (default: random)' }),
  layouts: z
    .array(layoutSchema, { error: 'expected a list of layouts' })
    .min(1, { error: 'expected at least one layout' })
    .default([...D.layouts]),
  isolation: isolationRequestSchema.default(D.isolation),
  tokenTtl: duration(50, 3_600_000).default(D.tokenTtl).meta({ description: 'access token lifetime (compressed)' }),
  refreshMargin: duration(0, 3_600_000)
    .default(D.refreshMargin)
    .meta({ description: 'refresh this long before expiry (compressed)' }),
  server: serverSchema.prefault({}),
  client: clientSchema.default(() => clientSchema.parse({})),
  faults: faultsSchema.default({}),
  workload: workloadSchema.default(() => workloadSchema.parse({})),
  expect: expectSchema.default({}),
});

export const scenarioSchema = scenarioObject.superRefine((scenario, context) => {
  const refuse = (path: PropertyKey[], message: string) =>
    context.addIssue({ code: 'custom', path, message, input: undefined });

  if (scenario.refreshMargin >= scenario.tokenTtl) {
    refuse(['refreshMargin'], `expected less than tokenTtl (${scenario.tokenTtl} ms)`);
  }
  if (scenario.duration !== undefined && scenario.cycles !== undefined) {
    refuse(['cycles'], 'expected either duration or cycles, not both');
  }
  if (new Set(scenario.layouts).size !== scenario.layouts.length) {
    refuse(['layouts'], 'expected each layout at most once');
  }
  for (const layout of Object.keys(scenario.expect)) {
    if (!scenario.layouts.includes(layout as LayoutName)) {
      refuse(['expect', layout], `expected one of this scenario's layouts (${scenario.layouts.join(', ')})`);
    }
  }
  for (const [path, message] of lockTimingIssues(resolveClientProfile(scenario.client))) {
    refuse(['client', path], message);
  }
  if (scenario.client.retryMin !== undefined && scenario.client.retryMax !== undefined) {
    if (scenario.client.retryMin > scenario.client.retryMax) refuse(['client', 'retryMax'], 'expected at least retryMin');
  }
});

/** Lock timings proper-lockfile would quietly change: refused so a run measures what it says. */
export function lockTimingIssues(profile: Pick<SessionProfile, 'staleMs' | 'updateMs'>): Array<[string, string]> {
  const issues: Array<[string, string]> = [];
  if (profile.staleMs < LOCKFILE_MIN_STALE_MS) {
    issues.push(['stale', 'expected at least 2s (proper-lockfile would raise it to 2s)']);
  }
  if (profile.updateMs < LOCKFILE_MIN_UPDATE_MS) {
    issues.push(['update', 'expected at least 1s (proper-lockfile would raise it to 1s)']);
  } else if (profile.updateMs > profile.staleMs / 2) {
    const half = profile.staleMs / 2;
    issues.push(['update', `expected at most stale/2 (${half} ms; proper-lockfile would lower it)`]);
  }
  return issues;
}

/** A scenario as written in a file (before defaults). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A validated scenario: defaults filled, durations in milliseconds. */
export type Scenario = z.output<typeof scenarioSchema>;

/** How long each layout's workload runs: `duration`, else `cycles` token lifetimes, else the default. */
export function workloadMs(scenario: Scenario): number {
  if (scenario.duration !== undefined) return scenario.duration;
  if (scenario.cycles !== undefined) return scenario.cycles * scenario.tokenTtl;
  return D.duration;
}
