import { z } from 'zod';
import { serverSettingsSchema } from '../endpoint/server-settings.js';
import { ALL_LAYOUTS } from '../layout/layouts.js';
import type { LayoutName } from '../journal/events.js';
import { clientMixSchema, clientSettingsSchema } from '../client/client-profile.js';
import { workerFaultsSchema } from '../fleet/worker-faults.js';
import { EXTRA_LAYOUTS } from '../layout/extra-layouts.js';
import { filesystemsSchema } from '../layout/filesystems.js';
import { COUNTER_NAMES, isCounterName } from './counter-names.js';
import { expectationSchema } from './expectation.js';
import { duration, oneOf, wholeNumber } from './fields.js';
import { SCENARIO_DEFAULTS as D } from './scenario-defaults.js';

/**
 * A scenario: one validated object holding every knob of a run, read from a JSON file in
 * `scenarios/` (or built from `compare`'s flags). Every field but name and description has a
 * default (scenario-defaults.ts). Unknown fields are refused, so a typo never silently runs the
 * default. `scenarios/schema.json` is generated from this schema for editors.
 */

export const isolationRequestSchema = oneOf(['auto', 'namespace', 'paths']);

/** Every layout a scenario may name; `compare` runs legacy and shared. */
export const SCENARIO_LAYOUTS = [...ALL_LAYOUTS, ...EXTRA_LAYOUTS] as unknown as [LayoutName, ...LayoutName[]];

const layoutSchema = oneOf(SCENARIO_LAYOUTS);

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
  client: clientSettingsSchema
    .prefault({})
    .meta({ description: 'the client every container runs: a profile and knobs over it' }),
  clients: clientMixSchema
    .optional()
    .meta({ description: 'a fleet of different clients instead: workers per client, in order' }),
  faults: workerFaultsSchema.meta({ description: 'faults done to the containers (the endpoint has its own)' }),
  filesystems: filesystemsSchema.meta({ description: 'what the shared store and each $HOME sit on' }),
  workload: workloadSchema.default(() => workloadSchema.parse({})),
  expect: expectSchema.default({}),
});

export const scenarioSchema = scenarioObject.superRefine((scenario, context) => {
  const refuse = (path: PropertyKey[], message: string, input?: unknown) =>
    context.addIssue({ code: 'custom', path, message, input });

  if (scenario.refreshMargin >= scenario.tokenTtl) {
    // Named with its value: the margin may be the default, refused because tokenTtl was lowered.
    refuse(['refreshMargin'], `expected less than tokenTtl (${scenario.tokenTtl} ms)`, `${scenario.refreshMargin} ms`);
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
  if (scenario.clients) {
    const total = scenario.clients.reduce((sum, entry) => sum + entry.workers, 0);
    if (total !== scenario.workers) refuse(['clients'], `expected workers adding up to ${scenario.workers}`);
  }
  if (scenario.filesystems.home === 'overlay' && scenario.isolation === 'paths') {
    refuse(['filesystems', 'home'], 'expected disk or tmpfs under paths isolation (overlay needs a mount namespace)');
  }
});

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
