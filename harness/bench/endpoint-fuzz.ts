import fc from 'fast-check';
import { serverSettingsSchema, type ServerSettings, type ServerSettingsInput } from '../endpoint/server-settings.js';
import { startTokenEndpoint, type LedgerEntry } from '../endpoint/token-endpoint.js';
import { hostileRequest, type HostileRequest } from './hostile-requests.js';
import { sendHostile, type Answer, type Tokens } from './hostile-sender.js';
import { PolicyModel, type Prediction } from './policy-oracle.js';

/**
 * The endpoint fuzzer: N generated hostile requests against a real endpoint on 127.0.0.1 under
 * one server policy, sent in concurrent bursts wherever the answer does not depend on order. It
 * counts what issue 6 asks for: crashes (a 500, an endpoint that stops answering), answers that
 * differ from what the policy model predicts, and whether the ledger holds exactly one matching
 * entry per request.
 */
export interface FuzzOptions {
  count: number;
  seed: number;
  /** Requests in flight at once during a burst. */
  concurrency: number;
  /** The server's policy; the strict server when absent. */
  server?: ServerSettings;
  /**
   * The policy the answers are judged by; the server's own when absent. A test gives another one
   * to show that the fuzzer notices a server that does not keep the policy it should.
   */
  oracle?: ServerSettings;
}

export interface Mismatch {
  id: number;
  label: string;
  expected: number;
  got: number;
  detail: string;
}

export interface FuzzFigures {
  tried: number;
  crashes: number;
  wrongStatus: number;
  /** Right status, wrong tokens: a token issued twice, a grace replay that was not the successor. */
  tokenProblems: string[];
  ledgerEntries: number;
  ledgerExact: boolean;
  ledgerProblems: string[];
  rotations: number;
  /** API calls refused because their access token was revoked (by a refresh or a revocation). */
  revokedAccessRefusals: number;
  /** What the policy did, as the model saw it: shows the run exercised the policy. */
  policyEvents: PolicyModel['events'];
  byLabel: Record<string, number>;
  mismatches: Mismatch[];
}

/**
 * Every policy the endpoint offers, one setting at a time. Windows are an hour, far past any
 * run, so no answer depends on timing; the rate limit admits a twentieth of the requests, so a
 * run sees both sides of it.
 */
export function fuzzPolicies(count: number): Array<{ name: string; server: ServerSettings }> {
  const policies: Record<string, ServerSettingsInput> = {
    strict: {},
    'family-revocation': { reuse: 'family-revocation' },
    'grace (maxReuse 2)': { grace: { window: '1h', maxReuse: 2 } },
    'revoke-access-on-refresh': { revokeAccessOnRefresh: true },
    'rate limit': { rateLimit: { requests: Math.max(5, Math.round(count / 20)), window: '1h' } },
    'non-atomic': { rotation: 'non-atomic' },
  };
  return Object.entries(policies).map(([name, input]) => ({ name, server: serverSettingsSchema.parse(input) }));
}

interface Sent {
  id: number;
  request: HostileRequest;
  prediction: Prediction;
  answer: Answer;
}

interface ClientState {
  tokens: Tokens;
  /** The refresh token this client last rotated away: what a replay presents. */
  spent: string;
}

export async function fuzzEndpoint(options: FuzzOptions): Promise<FuzzFigures> {
  const ledger: LedgerEntry[] = [];
  const server = options.server ?? serverSettingsSchema.parse({});
  const onLedger = (entry: LedgerEntry) => ledger.push(entry);
  const endpoint = await startTokenEndpoint({ accessTtlMs: 3_600_000, refreshLatencyMs: 0, server, onLedger });
  const url = new URL(endpoint.url);
  const requests = fc.sample(hostileRequest, { numRuns: options.count, seed: options.seed });
  const model = new PolicyModel(options.oracle ?? server);
  const sent: Sent[] = [];
  const tokenProblems: string[] = [];

  try {
    // A login and one rotation outside HTTP (and so outside the ledger): from the first request
    // on there is a live token, a spent one and an older access token to present.
    const first = endpoint.registry.login();
    const second = endpoint.registry.redeem(first.refreshToken);
    if (second.status !== 'ok') throw new Error('the endpoint refused its own first rotation');
    const rotated = { refresh: second.pair.refreshToken, access: second.pair.accessToken };
    model.seed({ refresh: first.refreshToken, access: first.accessToken }, rotated);
    let state: ClientState = {
      tokens: { refresh: second.pair.refreshToken, access: second.pair.accessToken, previousAccess: first.accessToken },
      spent: first.refreshToken,
    };

    const settle = (entry: Sent, tokens: Tokens) => {
      sent.push(entry);
      if (!matches(entry.prediction, entry.answer)) return;
      const problem = entry.prediction.apply?.(entry.answer);
      if (problem) tokenProblems.push(`request ${entry.id} (${entry.request.label}): ${problem}`);
      state = adopt(state, tokens, entry.answer);
    };

    let burst: Array<{ id: number; request: HostileRequest; tokens: Tokens; prediction: Prediction }> = [];
    const flush = async () => {
      const answers = await Promise.all(burst.map(({ id, request, tokens }) => sendHostile(url, request, id, tokens)));
      burst.forEach((entry, index) => settle({ ...entry, answer: answers[index]! }, entry.tokens));
      burst = [];
    };

    for (const [index, request] of requests.entries()) {
      const id = index + 1;
      const tokens = tokensFor(request, state, id);
      const prediction = model.predict(request.rule, tokens);
      if (!prediction.changes) {
        burst.push({ id, request, tokens, prediction });
        if (burst.length >= options.concurrency) await flush();
        continue;
      }
      // Sent alone, after every earlier request was answered: its answer depends on their order.
      await flush();
      settle({ id, request, prediction, answer: await sendHostile(url, request, id, tokens) }, tokens);
    }
    await flush();
  } finally {
    await endpoint.close();
  }

  const mismatches = sent.filter(({ prediction, answer }) => !matches(prediction, answer)).map(describeMismatch);
  const crashes = sent.filter(({ answer }) => answer.status === 500 || answer.status === 0).length;
  const ledgerProblems = checkLedger(sent, ledger);
  const byLabel: Record<string, number> = {};
  for (const { request } of sent) byLabel[request.label] = (byLabel[request.label] ?? 0) + 1;

  return {
    tried: sent.length,
    crashes,
    wrongStatus: mismatches.length,
    tokenProblems: tokenProblems.slice(0, 10),
    ledgerEntries: ledger.length,
    ledgerExact: ledgerProblems.length === 0,
    ledgerProblems: ledgerProblems.slice(0, 10),
    rotations: ledger.filter((entry) => entry.outcome === 'refresh_ok').length,
    revokedAccessRefusals: ledger.filter((entry) => entry.outcome === 'api_unauthorized' && entry.reason === 'revoked').length,
    policyEvents: model.events,
    byLabel,
    mismatches: mismatches.slice(0, 10),
  };
}

function tokensFor(request: HostileRequest, state: ClientState, id: number): Tokens {
  const refresh =
    request.role === 'live' ? state.tokens.refresh : request.role === 'spent' ? state.spent : `tokenrace-fake-rt-never-issued-${id}`;
  return { ...state.tokens, refresh };
}

/**
 * What a client does with a pair it was given: a rotation of its live token makes that token
 * the spent one; a grace replay or a login leaves the spent one as it was.
 */
function adopt(state: ClientState, presented: Tokens, answer: Answer): ClientState {
  if (!answer.issued) return state;
  const rotatedLive = presented.refresh === state.tokens.refresh && answer.issued.refresh !== state.tokens.refresh;
  return {
    tokens: { refresh: answer.issued.refresh, access: answer.issued.access, previousAccess: state.tokens.access },
    spent: rotatedLive ? state.tokens.refresh : state.spent,
  };
}

function matches({ expected }: Prediction, answer: Answer): boolean {
  if (answer.status !== expected.status) return false;
  return expected.error === undefined || answer.error === expected.error;
}

function describeMismatch({ id, request, prediction, answer }: Sent): Mismatch {
  const detail = `${request.method} ${request.path} ${JSON.stringify(request.body).slice(0, 80)} → ${answer.error ?? answer.transport ?? ''}`;
  return { id, label: request.label, expected: prediction.expected.status, got: answer.status, detail };
}

/**
 * One ledger entry per request, with the status the request was answered with and, where the
 * policy model can say, the outcome (`family_revoked` rather than `invalid_grant`, and so on).
 */
function checkLedger(sent: readonly Sent[], ledger: readonly LedgerEntry[]): string[] {
  const problems: string[] = [];
  const byWorker = new Map<number, LedgerEntry[]>();
  for (const entry of ledger) {
    if (entry.worker === null) continue;
    byWorker.set(entry.worker, [...(byWorker.get(entry.worker) ?? []), entry]);
  }
  for (const { id, request, prediction, answer } of sent) {
    if (request.raw !== undefined) continue;
    const entries = byWorker.get(id) ?? [];
    const [entry] = entries;
    if (entries.length !== 1 || !entry) problems.push(`request ${id} (${request.label}): ${entries.length} ledger entries`);
    else if (entry.status !== answer.status) problems.push(`request ${id}: ledger ${entry.status}, answered ${answer.status}`);
    else if (prediction.outcome && entry.outcome !== prediction.outcome) {
      problems.push(`request ${id} (${request.label}): ledger outcome ${entry.outcome}, expected ${prediction.outcome}`);
    }
  }
  const raw = sent.filter(({ request }) => request.raw !== undefined).length;
  const unparsable = ledger.filter((entry) => entry.outcome === 'bad_http').length;
  if (raw !== unparsable) problems.push(`${raw} unparsable requests sent, ${unparsable} in the ledger`);
  if (ledger.length !== sent.length) problems.push(`${sent.length} requests sent, ${ledger.length} ledger entries`);
  return problems;
}
