import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fingerprint } from '../fingerprint.js';
import type { InjectedFault } from '../journal/events.js';
import type { Disruption, FaultPlan } from './fault-plan.js';
import {
  HttpRefusal,
  describeIssued,
  resetConnection,
  respond,
  tokenResponse,
  type RouteEntry,
} from './http-replies.js';
import type { RateLimiter } from './rate-limiter.js';
import type { ServerSettings } from './server-settings.js';
import type { RedeemResult, TokenRegistry } from './token-registry.js';

/**
 * The refresh_token grant (RFC 6749 §6), in the order a real deployment meets a request:
 *
 *   rate limit (429) → latency → before-commit fault → check → [gap] → commit
 *     → after-commit fault, or the answer
 *
 * A before-commit fault leaves the token untouched; an after-commit one replaces the answer to
 * a rotation that already happened, so the client never learns its new token.
 */
export interface RefreshContext {
  registry: TokenRegistry;
  limiter: RateLimiter;
  faults: FaultPlan;
  settings: ServerSettings;
  refreshLatencyMs: number;
  /** Aborted when the endpoint closes, so held responses end with it. */
  closing: AbortSignal;
  record: (entry: RouteEntry) => void;
}

export async function serveRefresh(
  body: Record<string, unknown>,
  response: ServerResponse,
  context: RefreshContext,
): Promise<void> {
  const refreshToken = validateGrant(body);
  const presented = fingerprint(refreshToken);
  const unissued = { presented, issued: null, family: null, generation: null };

  const admission = context.limiter.admit();
  if (admission.status === 'limited') {
    const { retryAfterMs } = admission;
    context.record({ status: 429, outcome: 'rate_limited', ...unissued, retryAfterMs });
    // Retry-After counts whole seconds (RFC 9110 §10.2.3); compressed runs need the exact wait.
    const headers = {
      'retry-after': String(Math.ceil(retryAfterMs / 1000)),
      'retry-after-ms': String(Math.ceil(retryAfterMs)),
    };
    respond(response, 429, { error: 'rate_limited' }, headers);
    return;
  }

  const plan = context.faults.next();
  const injected = plan.injected.length > 0 ? { faults: plan.injected } : {};
  const base = { request: plan.request, ...injected };
  const delayMs = context.refreshLatencyMs + plan.latencyMs;
  if (delayMs > 0) await sleep(delayMs);

  if (plan.before) {
    const status = await disrupt(plan.before, response, context.closing, null);
    context.record({ status, outcome: 'fault_before_commit', ...unissued, ...base });
    return;
  }

  const result = await redeem(refreshToken, context);
  const entry = { ...describeResult(result), presented, ...base };
  if (plan.after) {
    const answerLate = () => answer(result, response);
    const status = await disrupt(plan.after, response, context.closing, answerLate);
    context.record({ ...entry, status, delivered: status === answerStatus(result) });
    return;
  }
  context.record(entry);
  answer(result, response);
}

function validateGrant(body: Record<string, unknown>): string {
  const grantType = body.grant_type;
  const refreshToken = body.refresh_token;
  if (grantType === undefined) throw new HttpRefusal(400, 'invalid_request', 'invalid_request');
  if (grantType !== 'refresh_token') {
    throw new HttpRefusal(400, 'unsupported_grant_type', 'unsupported_grant_type');
  }
  if (typeof refreshToken !== 'string' || refreshToken.length === 0) {
    throw new HttpRefusal(400, 'invalid_request', 'invalid_request');
  }
  return refreshToken;
}

async function redeem(refreshToken: string, context: RefreshContext): Promise<RedeemResult> {
  const decision = context.registry.check(refreshToken);
  if (context.settings.rotation === 'non-atomic' && decision.action === 'rotate') {
    // The bug being modelled: the token was found live, and is rotated later without looking
    // again. A second redeem arriving in the gap passes the same check, and the family forks.
    await sleep(context.settings.rotationGap);
  }
  return context.registry.commit(decision);
}

function describeResult(result: RedeemResult): RouteEntry {
  if (result.status === 'ok') {
    const reason = result.reason ? { reason: result.reason } : {};
    const issued = describeIssued(result.pair);
    return { status: 200, outcome: 'refresh_ok', presented: null, ...issued, ...reason };
  }
  return {
    status: 400,
    outcome: result.revokedFamily ? 'family_revoked' : 'invalid_grant',
    presented: null,
    issued: null,
    family: result.family,
    generation: null,
    reason: result.reason,
  };
}

function answerStatus(result: RedeemResult): number {
  return result.status === 'ok' ? 200 : 400;
}

function answer(result: RedeemResult, response: ServerResponse): void {
  if (result.status === 'ok') {
    respond(response, 200, tokenResponse(result.pair));
    return;
  }
  // RFC 6749 §5.2: a spent, unknown or revoked refresh token is `invalid_grant` with status 400.
  const descriptions = {
    reused: 'refresh token already used',
    unknown: 'refresh token not recognised',
    revoked: 'refresh token revoked',
  };
  const error_description = descriptions[result.reason];
  respond(response, 400, { error: 'invalid_grant', error_description });
}

/**
 * Carries out a disruption and returns the HTTP status the client got (0 for none). A hang holds
 * the response; after it, a committed answer is still sent if the client waited, and anything
 * else drops the connection.
 */
async function disrupt(
  fault: Disruption,
  response: ServerResponse,
  closing: AbortSignal,
  committedAnswer: (() => void) | null,
): Promise<number> {
  if (fault.kind === 'error') {
    respond(response, fault.status, { error: 'server_error', error_description: describe(fault) });
    return fault.status;
  }
  if (fault.kind === 'reset') {
    resetConnection(response);
    return 0;
  }

  let clientGone = false;
  response.once('close', () => (clientGone = true));
  const held = await sleep(fault.holdMs, true, { signal: closing }).catch(() => false);
  if (!held || clientGone || !committedAnswer) {
    resetConnection(response);
    return 0;
  }
  committedAnswer();
  return response.statusCode;
}

function describe(fault: InjectedFault): string {
  return fault.kind === 'latency' ? 'latency' : `injected ${fault.kind} ${fault.phase}`;
}
