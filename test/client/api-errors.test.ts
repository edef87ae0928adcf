import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenClient } from '../../harness/client/token-client.js';
import { countLayout } from '../../harness/evidence/counters.js';
import type { JournalEvent, LedgerEvent } from '../../harness/journal/events.js';

/**
 * An API call that gets no usable answer is counted, not fatal: on a starved machine a call can
 * time out while the endpoint is still answering, and a 64-container run lost half its clients
 * to that before. The ledger still agrees when the calls given up on explain what it holds.
 */
let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('API calls without a usable answer', () => {
  it('are an error outcome for a timeout and for an unexpected status, never a throw', async () => {
    const baseUrl = await serve((request, response) => {
      if (request.headers.authorization === 'Bearer slow') return; // never answered
      response.writeHead(503).end();
    });
    const client = new TokenClient({ baseUrl, worker: 1, requestTimeoutMs: 200, now: Date.now });
    try {
      const timedOut = await client.callApi('slow');
      expect(timedOut.status).toBe('error');
      expect(timedOut).toMatchObject({ httpStatus: null });

      expect(await client.callApi('any')).toEqual({ status: 'error', httpStatus: 503, error: 'unexpected status 503' });
    } finally {
      await client.close();
    }
  });

  it('keep the ledger in agreement only as far as they explain it', () => {
    const ledgerApiOk = (seq: number): LedgerEvent => ({
      t: seq, layout: 'shared', type: 'ledger', seq, route: '/v1/messages', worker: 1, status: 200,
      outcome: 'api_ok', presented: 'a', issued: null, family: 1, generation: null,
    });
    const clientOk: JournalEvent = { t: 5, layout: 'shared', worker: 1, type: 'api_ok', latencyMs: 1 };
    const clientError: JournalEvent = { t: 6, layout: 'shared', worker: 1, type: 'api_error', status: null, error: 'timeout' };
    const ledger = [ledgerApiOk(1), ledgerApiOk(2)];

    const explained = countLayout([...ledger, clientOk, clientError], 'shared');
    expect(explained.api_errors).toBe(1);
    expect(explained.ledger_agrees).toBe(true);

    const unexplained = countLayout([...ledger, clientOk], 'shared');
    expect(unexplained.ledger_agrees).toBe(false);

    const overcounted = countLayout([ledgerApiOk(1), clientOk, clientOk], 'shared');
    expect(overcounted.ledger_agrees).toBe(false);
  });
});
