import { afterEach, describe, expect, it } from 'vitest';
import { startEndpoint, sleep } from '../helpers/endpoint.js';

let endpoint: Awaited<ReturnType<typeof startEndpoint>> | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

/** Logs in, rotates once, and returns the spent first token and the live pair after it. */
async function rotatedOnce(server: Parameters<typeof startEndpoint>[0]) {
  endpoint = await startEndpoint(server);
  const first = (await endpoint.login()).body;
  const second = await endpoint.refresh(first.refresh_token);
  expect(second.status).toBe(200);
  return { first, live: second.body };
}

describe('strict (the default)', () => {
  it('refuses a replayed token and keeps the live one valid', async () => {
    const { first, live } = await rotatedOnce({});

    const replay = await endpoint!.refresh(first.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await endpoint!.callApi(live.access_token)).status).toBe(200);
    expect((await endpoint!.refresh(live.refresh_token)).status).toBe(200);
    expect(endpoint!.ledger.filter((entry) => entry.outcome === 'family_revoked')).toHaveLength(0);
  });
});

describe('family-revocation', () => {
  it('turns a replay into a revoked family: live refresh token and access tokens refused', async () => {
    const { first, live } = await rotatedOnce({ reuse: 'family-revocation' });

    const replay = await endpoint!.refresh(first.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await endpoint!.callApi(live.access_token)).status).toBe(401);
    const after = await endpoint!.refresh(live.refresh_token);
    expect(after.status).toBe(400);
    expect(after.body.error).toBe('invalid_grant');

    const outcomes = endpoint!.ledger.map((entry) => [entry.outcome, entry.reason ?? null]);
    expect(outcomes).toContainEqual(['family_revoked', 'reused']);
    expect(outcomes).toContainEqual(['invalid_grant', 'revoked']);
    expect(outcomes).toContainEqual(['api_unauthorized', 'revoked']);
  });

  it('leaves other families alone', async () => {
    const { first } = await rotatedOnce({ reuse: 'family-revocation' });
    const other = (await endpoint!.login()).body;

    await endpoint!.refresh(first.refresh_token);
    expect((await endpoint!.callApi(other.access_token)).status).toBe(200);
    expect((await endpoint!.refresh(other.refresh_token)).status).toBe(200);
  });

  it('does not revoke anything for a token it never issued', async () => {
    const { live } = await rotatedOnce({ reuse: 'family-revocation' });

    expect((await endpoint!.refresh('tokenrace-fake-rt-nonsense')).status).toBe(400);
    expect((await endpoint!.refresh(live.refresh_token)).status).toBe(200);
  });
});

describe('grace', () => {
  it('answers the previous token with the live one inside the window', async () => {
    const { first, live } = await rotatedOnce({ grace: { window: '2s' } });

    const replay = await endpoint!.refresh(first.refresh_token);
    expect(replay.status).toBe(200);
    expect(replay.body.refresh_token).toBe(live.refresh_token);
    expect((await endpoint!.callApi(replay.body.access_token)).status).toBe(200);
    const graced = endpoint!.ledger.filter((entry) => entry.reason === 'grace_replay');
    expect(graced).toHaveLength(1);
    expect(graced[0]!.outcome).toBe('refresh_ok');
  });

  it('falls back to the base policy once the window has passed', async () => {
    const { first, live } = await rotatedOnce({ grace: { window: 150 }, reuse: 'family-revocation' });

    await sleep(250);
    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(400);
    expect((await endpoint!.refresh(live.refresh_token)).status).toBe(400);
    expect(endpoint!.ledger.some((entry) => entry.outcome === 'family_revoked')).toBe(true);
  });

  it('covers only the immediately previous token, not older ones', async () => {
    const { first, live } = await rotatedOnce({ grace: { window: '5s' } });
    const third = await endpoint!.refresh(live.refresh_token);
    expect(third.status).toBe(200);

    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(400);
    expect((await endpoint!.refresh(live.refresh_token)).status).toBe(200);
  });

  it('stops honouring replays after maxReuse of them', async () => {
    const { first } = await rotatedOnce({ grace: { window: '5s', maxReuse: 2 } });

    const statuses = [];
    for (let replay = 0; replay < 3; replay += 1) {
      statuses.push((await endpoint!.refresh(first.refresh_token)).status);
    }
    expect(statuses).toEqual([200, 200, 400]);
  });
});

describe('revokeAccessOnRefresh', () => {
  it('revokes the access tokens a family issued before the refresh', async () => {
    const { first, live } = await rotatedOnce({ revokeAccessOnRefresh: true });

    expect((await endpoint!.callApi(first.access_token)).status).toBe(401);
    expect((await endpoint!.callApi(live.access_token)).status).toBe(200);
    const apiRefusals = endpoint!.ledger.filter((entry) => entry.outcome === 'api_unauthorized');
    expect(apiRefusals.map((entry) => entry.reason)).toEqual(['revoked']);
  });

  it('is off by default: older access tokens live until they expire', async () => {
    const { first } = await rotatedOnce({});

    expect((await endpoint!.callApi(first.access_token)).status).toBe(200);
  });
});

describe('rotation', () => {
  async function twoConcurrentRedeems(rotation: 'atomic' | 'non-atomic') {
    endpoint = await startEndpoint({ rotation, rotationGap: 100 });
    const first = (await endpoint.login()).body;
    return Promise.all([endpoint.refresh(first.refresh_token), endpoint.refresh(first.refresh_token)]);
  }

  it('non-atomic lets two concurrent redeems of one token both win, forking the family', async () => {
    const answers = await twoConcurrentRedeems('non-atomic');

    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(answers[0]!.body.refresh_token).not.toBe(answers[1]!.body.refresh_token);
    for (const answer of answers) expect((await endpoint!.refresh(answer.body.refresh_token)).status).toBe(200);
    expect(endpoint!.ledger.filter((entry) => entry.reason === 'forked')).toHaveLength(1);
  });

  it('atomic lets only one of them win', async () => {
    const answers = await twoConcurrentRedeems('atomic');

    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
  });
});
