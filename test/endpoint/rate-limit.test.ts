import { afterEach, describe, expect, it } from 'vitest';
import { startEndpoint, sleep } from '../helpers/endpoint.js';

let endpoint: Awaited<ReturnType<typeof startEndpoint>> | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

describe('rateLimit', () => {
  it('answers 429 with Retry-After past K token requests in the window, then admits again', async () => {
    endpoint = await startEndpoint({ rateLimit: { requests: 3, window: 400 } });
    let token = (await endpoint.login()).body.refresh_token;

    const statuses: number[] = [];
    for (let request = 0; request < 5; request += 1) {
      const answer = await endpoint.refresh(token);
      statuses.push(answer.status);
      if (answer.status === 200) token = answer.body.refresh_token;
      if (answer.status === 429) {
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        const exactMs = Number(answer.headers.get('retry-after-ms'));
        expect(exactMs).toBeGreaterThan(0);
        expect(exactMs).toBeLessThanOrEqual(400);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);

    await sleep(450);
    expect((await endpoint.refresh(token)).status).toBe(200);
    expect(endpoint.ledger.filter((entry) => entry.outcome === 'rate_limited')).toHaveLength(2);
  });

  it('leaves a limited token untouched: it still works once the window has passed', async () => {
    endpoint = await startEndpoint({ rateLimit: { requests: 1, window: 200 } });
    const first = (await endpoint.login()).body;
    const second = (await endpoint.refresh(first.refresh_token)).body;

    expect((await endpoint.refresh(second.refresh_token)).status).toBe(429);
    await sleep(250);
    expect((await endpoint.refresh(second.refresh_token)).status).toBe(200);
  });

  it('is off by default', async () => {
    endpoint = await startEndpoint({});
    let token = (await endpoint.login()).body.refresh_token;

    for (let request = 0; request < 20; request += 1) {
      const answer = await endpoint.refresh(token);
      expect(answer.status).toBe(200);
      token = answer.body.refresh_token;
    }
  });
});
