import { readFile } from 'node:fs/promises';
import { fingerprint } from '../fingerprint.js';
import type { StoreFinalEvent } from '../journal/real-client-events.js';

/**
 * What a layout left in the shared credentials file. `wiped` is what Claude Code does after an
 * invalid_grant on the token still in the file: empty tokens, `expiresAt` 0. The session is gone
 * until someone logs in again, for every container that shares the file. `dead` is the quieter
 * version of the same loss: the file holds a token the endpoint will refuse.
 */
export async function inspectStore(
  file: string,
  isLive: (refreshToken: string) => boolean = () => true,
): Promise<Pick<StoreFinalEvent, 'state' | 'refreshToken'>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { state: 'missing', refreshToken: null };
  }

  let oauth: Record<string, unknown> | undefined;
  try {
    oauth = (JSON.parse(text) as { claudeAiOauth?: Record<string, unknown> }).claudeAiOauth;
  } catch {
    return { state: 'corrupt', refreshToken: null };
  }
  if (!oauth || typeof oauth !== 'object') return { state: 'corrupt', refreshToken: null };

  const { accessToken, refreshToken, expiresAt } = oauth;
  if (!accessToken || !refreshToken || expiresAt === 0) return { state: 'wiped', refreshToken: null };
  if (typeof refreshToken !== 'string' || typeof accessToken !== 'string') {
    return { state: 'corrupt', refreshToken: null };
  }
  // Looks fine, but the endpoint would refuse it (spent, or its family revoked): just as lost.
  if (!isLive(refreshToken)) return { state: 'dead', refreshToken: fingerprint(refreshToken) };
  return { state: 'ok', refreshToken: fingerprint(refreshToken) };
}
