import fc from 'fast-check';
import { startTokenEndpoint, type LedgerEntry } from '../endpoint/token-endpoint.js';
import { hostileRequest, type HostileRequest } from './hostile-requests.js';
import { sendHostile, type Answer, type Tokens } from './hostile-sender.js';

/**
 * The endpoint fuzzer: N generated hostile requests against a real endpoint on 127.0.0.1, sent
 * in concurrent bursts wherever the answer does not depend on order. It counts what issue 6
 * asks for: crashes (a 500, an endpoint that stops answering), answers that differ from the
 * oracle, and whether the ledger holds exactly one matching entry per request.
 */
export interface FuzzOptions {
  count: number;
  seed: number;
  /** Requests in flight at once during a burst. */
  concurrency: number;
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
  ledgerEntries: number;
  ledgerExact: boolean;
  ledgerProblems: string[];
  rotations: number;
  byLabel: Record<string, number>;
  mismatches: Mismatch[];
}

interface Sent {
  id: number;
  request: HostileRequest;
  answer: Answer;
}

export async function fuzzEndpoint(options: FuzzOptions): Promise<FuzzFigures> {
  const ledger: LedgerEntry[] = [];
  const endpoint = await startTokenEndpoint({ accessTtlMs: 3_600_000, refreshLatencyMs: 0, onLedger: (entry) => ledger.push(entry) });
  const url = new URL(endpoint.url);
  const requests = fc.sample(hostileRequest, { numRuns: options.count, seed: options.seed });
  const sent: Sent[] = [];
  let crashes = 0;

  try {
    const first = endpoint.registry.login();
    const second = endpoint.registry.redeem(first.refreshToken);
    if (second.status !== 'ok') throw new Error('the endpoint refused its own first rotation');
    let state = { tokens: { refresh: second.pair.refreshToken, access: second.pair.accessToken }, spent: first.refreshToken };

    let burst: Array<{ id: number; request: HostileRequest }> = [];
    const flush = async () => {
      const answers = await Promise.all(burst.map(({ id, request }) => sendHostile(url, request, id, tokensFor(request, state, id))));
      burst.forEach(({ id, request }, index) => sent.push({ id, request, answer: answers[index]! }));
      burst = [];
    };

    for (const [index, request] of requests.entries()) {
      const id = index + 1;
      if (request.expected.rotates !== true) {
        burst.push({ id, request });
        if (burst.length >= options.concurrency) await flush();
        continue;
      }
      await flush();
      const answer = await sendHostile(url, request, id, tokensFor(request, state, id));
      sent.push({ id, request, answer });
      if (answer.issued) state = { tokens: answer.issued, spent: state.tokens.refresh };
    }
    await flush();
  } finally {
    await endpoint.close();
  }

  const mismatches = sent.filter(({ request, answer }) => !matches(request, answer)).map(describeMismatch);
  crashes += sent.filter(({ answer }) => answer.status === 500 || answer.status === 0).length;
  const ledgerProblems = checkLedger(sent, ledger);
  const byLabel: Record<string, number> = {};
  for (const { request } of sent) byLabel[request.label] = (byLabel[request.label] ?? 0) + 1;

  return {
    tried: sent.length,
    crashes,
    wrongStatus: mismatches.length,
    ledgerEntries: ledger.length,
    ledgerExact: ledgerProblems.length === 0,
    ledgerProblems: ledgerProblems.slice(0, 10),
    rotations: ledger.filter((entry) => entry.outcome === 'refresh_ok').length,
    byLabel,
    mismatches: mismatches.slice(0, 10),
  };
}

function tokensFor(request: HostileRequest, state: { tokens: Tokens; spent: string }, id: number): Tokens {
  const refresh =
    request.role === 'live' ? state.tokens.refresh : request.role === 'spent' ? state.spent : `tokenrace-fake-rt-never-issued-${id}`;
  return { refresh, access: state.tokens.access };
}

function matches(request: HostileRequest, answer: Answer): boolean {
  if (answer.status !== request.expected.status) return false;
  return request.expected.error === undefined || answer.error === request.expected.error;
}

function describeMismatch({ id, request, answer }: Sent): Mismatch {
  const detail = `${request.method} ${request.path} ${JSON.stringify(request.body).slice(0, 80)} → ${answer.error ?? answer.transport ?? ''}`;
  return { id, label: request.label, expected: request.expected.status, got: answer.status, detail };
}

/** One ledger entry per request, with the status the request was answered with. */
function checkLedger(sent: readonly Sent[], ledger: readonly LedgerEntry[]): string[] {
  const problems: string[] = [];
  const byWorker = new Map<number, LedgerEntry[]>();
  for (const entry of ledger) {
    if (entry.worker === null) continue;
    byWorker.set(entry.worker, [...(byWorker.get(entry.worker) ?? []), entry]);
  }
  for (const { id, request, answer } of sent) {
    if (request.raw !== undefined) continue;
    const entries = byWorker.get(id) ?? [];
    if (entries.length !== 1) problems.push(`request ${id} (${request.label}): ${entries.length} ledger entries`);
    else if (entries[0]!.status !== answer.status) problems.push(`request ${id}: ledger ${entries[0]!.status}, answered ${answer.status}`);
  }
  const raw = sent.filter(({ request }) => request.raw !== undefined).length;
  const unparsable = ledger.filter((entry) => entry.outcome === 'bad_http').length;
  if (raw !== unparsable) problems.push(`${raw} unparsable requests sent, ${unparsable} in the ledger`);
  if (ledger.length !== sent.length) problems.push(`${sent.length} requests sent, ${ledger.length} ledger entries`);
  return problems;
}
