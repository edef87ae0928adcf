import { z } from 'zod';
import { durationSchema } from '../scenario/duration.js';

/**
 * How the mock token endpoint behaves: its rotation policy and the faults it injects. Scenario
 * files embed this schema as their `server` section; `serverSettingsSchema.parse({})` is the
 * strict server every run had before policies existed.
 *
 * The policy is a set of orthogonal settings rather than one enum, because real servers combine
 * them (a grace window in front of family revocation, a rate limit in front of anything):
 *
 *   reuse                  what a replayed spent token does: `strict` or `family-revocation`
 *   grace                  the immediately previous token stays usable for a while
 *   revokeAccessOnRefresh  a refresh revokes the family's older access tokens
 *   rateLimit              at most K token requests per window, then 429 + Retry-After
 *   rotation               `atomic`, or `non-atomic` (check, a gap, then rotate)
 *   faults                 latency, 5xx, resets and held responses, by probability or schedule
 *
 * Durations are milliseconds in the parsed value; files may write `500` or `"2s"`.
 */

/** A duration after parsing, always in milliseconds. */
export type Milliseconds = number;

const HOUR_MS = 3_600_000;

/** What a presented token that was already spent does (outside any grace). */
export const REUSE_POLICIES = ['strict', 'family-revocation'] as const;
export type ReusePolicy = (typeof REUSE_POLICIES)[number];

const count = (minimum: number) =>
  z.int({ error: `expected a whole number of at least ${minimum}` }).min(minimum, {
    error: `expected a whole number of at least ${minimum}`,
  });

const graceSchema = z.strictObject({
  window: durationSchema(0, HOUR_MS)
    .default(0)
    .meta({ description: 'how long the previous token still works after rotation; 0: no grace' }),
  maxReuse: count(1)
    .nullable()
    .default(null)
    .meta({ description: 'replays of one token honoured inside the window; null: no limit' }),
});

const rateLimitSchema = z.strictObject({
  requests: count(1).meta({
    description: 'token requests admitted per window, across every client (all on 127.0.0.1)',
  }),
  window: durationSchema(1, HOUR_MS).meta({ description: 'the sliding window' }),
});

/**
 * Which token requests a fault hits. At most one of the four; none means every request. Token
 * requests are the well-formed refresh grants the rate limit admitted, numbered from 1 per
 * endpoint (each layout of a run has its own endpoint, so both see the same schedule).
 */
const triggerShape = {
  probability: z
    .number({ error: 'expected a probability from 0 to 1' })
    .min(0, { error: 'expected a probability from 0 to 1' })
    .max(1, { error: 'expected a probability from 0 to 1' })
    .optional()
    .meta({ description: "chance per token request, drawn from the run's seed" }),
  every: count(1).optional().meta({ description: 'every Nth token request (N, 2N, 3N...)' }),
  first: count(1).optional().meta({ description: 'the first N token requests' }),
  requests: z
    .array(count(1))
    .min(1, { error: 'expected at least one request number' })
    .optional()
    .meta({ description: 'exactly these token requests, numbered from 1' }),
};

const TRIGGER_KEYS = ['probability', 'every', 'first', 'requests'] as const;

/** `before-commit`: the token is not rotated. `after-commit`: rotated, the answer is lost. */
const phaseSchema = z
  .enum(['before-commit', 'after-commit'], {
    error: 'expected "before-commit" or "after-commit"',
  })
  .default('after-commit')
  .meta({ description: 'before-commit: nothing rotates; after-commit: the new token is lost' });

const latencyFaultSchema = z.discriminatedUnion(
  'distribution',
  [
    z.strictObject({
      kind: z.literal('latency'),
      distribution: z.literal('fixed'),
      delay: durationSchema(0, HOUR_MS).meta({ description: 'added to every request it hits' }),
      ...triggerShape,
    }),
    z.strictObject({
      kind: z.literal('latency'),
      distribution: z.literal('uniform'),
      min: durationSchema(0, HOUR_MS),
      max: durationSchema(0, HOUR_MS),
      ...triggerShape,
    }),
    z.strictObject({
      kind: z.literal('latency'),
      distribution: z.literal('lognormal'),
      p50: durationSchema(1, HOUR_MS),
      p99: durationSchema(1, HOUR_MS),
      ...triggerShape,
    }),
  ],
  { error: 'expected distribution "fixed", "uniform" or "lognormal"' },
);

const faultSchema = z
  .discriminatedUnion(
    'kind',
    [
      latencyFaultSchema,
      z.strictObject({
        kind: z.literal('error'),
        status: z
          .int({ error: 'expected an HTTP status from 500 to 599' })
          .min(500, { error: 'expected an HTTP status from 500 to 599' })
          .max(599, { error: 'expected an HTTP status from 500 to 599' })
          .default(503)
          .meta({ description: 'the 5xx status sent instead of the token response' }),
        phase: phaseSchema,
        ...triggerShape,
      }),
      z.strictObject({ kind: z.literal('reset'), phase: phaseSchema, ...triggerShape }),
      z.strictObject({
        kind: z.literal('hang'),
        hold: durationSchema(1, HOUR_MS).meta({
          description: "how long the answer is held; set it past the client's request timeout",
        }),
        phase: phaseSchema,
        ...triggerShape,
      }),
    ],
    { error: 'expected kind "latency", "error", "reset" or "hang"' },
  )
  .meta({ description: 'one endpoint fault on refresh requests, by probability or schedule' })
  .superRefine((fault, context) => {
    const given = TRIGGER_KEYS.filter((key) => fault[key] !== undefined);
    if (given.length > 1) {
      context.addIssue({
        code: 'custom',
        path: [given[1]!],
        message: `expected at most one of ${TRIGGER_KEYS.join(', ')}; got ${given.join(' and ')}`,
      });
    }
    if ('distribution' in fault) checkLatencyOrder(fault, context);
  });

function checkLatencyOrder(fault: LatencyFault, context: z.RefinementCtx): void {
  if (fault.distribution === 'uniform' && fault.max < fault.min) {
    const message = `expected max ≥ min (${fault.min}ms)`;
    context.addIssue({ code: 'custom', path: ['max'], message });
  }
  if (fault.distribution === 'lognormal' && fault.p99 < fault.p50) {
    const message = `expected p99 ≥ p50 (${fault.p50}ms)`;
    context.addIssue({ code: 'custom', path: ['p99'], message });
  }
}

export const serverSettingsSchema = z.strictObject({
  reuse: z
    .enum(REUSE_POLICIES, { error: 'expected "strict" or "family-revocation"' })
    .default('strict')
    .meta({ description: 'a replayed spent token: refused (strict) or revokes its family' }),
  grace: graceSchema
    .prefault({})
    .meta({ description: 'the previous refresh token keeps working for a while' }),
  revokeAccessOnRefresh: z
    .boolean({ error: 'expected true or false' })
    .default(false)
    .meta({ description: "a refresh revokes the family's older access tokens (siblings get 401)" }),
  rateLimit: rateLimitSchema
    .nullable()
    .default(null)
    .meta({ description: 'at most `requests` token requests per `window`, then 429; null: none' }),
  rotation: z
    .enum(['atomic', 'non-atomic'], { error: 'expected "atomic" or "non-atomic"' })
    .default('atomic')
    .meta({ description: 'non-atomic: check, wait rotationGap, rotate; concurrent redeems fork' }),
  rotationGap: durationSchema(0, 60_000)
    .default(25)
    .meta({ description: 'under non-atomic rotation: time between the check and the rotation' }),
  faults: z
    .array(faultSchema)
    .default([])
    .meta({ description: 'latency, 5xx, resets and held answers on refresh requests' }),
});

export type ServerSettings = z.output<typeof serverSettingsSchema>;
/** What a scenario file may write: everything optional, durations as numbers or strings. */
export type ServerSettingsInput = z.input<typeof serverSettingsSchema>;
export type Fault = z.output<typeof faultSchema>;
export type FaultKind = Fault['kind'];
export type LatencyFault = Extract<Fault, { kind: 'latency' }>;

/** The strict server: no grace, no revocation, no limit, atomic rotation, no faults. */
export const DEFAULT_SERVER_SETTINGS: ServerSettings = Object.freeze(
  serverSettingsSchema.parse({}),
);
