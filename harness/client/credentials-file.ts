import { readFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/**
 * The shared credential store, in the shape Claude Code keeps on Linux:
 * `<config dir>/.credentials.json` = `{"claudeAiOauth": {accessToken, refreshToken, expiresAt,
 * scopes, ...}}`, mode 0600, written as a temp file renamed over the old one.
 */
export const CREDENTIALS_FILE = '.credentials.json';

export interface Credentials {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type CredentialsRead =
  | { status: 'ok'; credentials: Credentials }
  | { status: 'missing' }
  | { status: 'unparseable'; detail: string };

export function credentialsPath(configDir: string): string {
  return path.join(configDir, CREDENTIALS_FILE);
}

export async function readCredentials(configDir: string): Promise<CredentialsRead> {
  let text: string;
  try {
    text = await readFile(credentialsPath(configDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    throw error;
  }
  return parseCredentials(text);
}

export function parseCredentials(text: string): CredentialsRead {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { status: 'unparseable', detail: (error as Error).message };
  }

  const oauth = (document as { claudeAiOauth?: Record<string, unknown> } | null)?.claudeAiOauth;
  const { accessToken, refreshToken, expiresAt } = oauth ?? {};
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string') {
    return { status: 'missing' };
  }
  if (typeof expiresAt !== 'number') return { status: 'unparseable', detail: 'expiresAt' };
  return { status: 'ok', credentials: { accessToken, refreshToken, expiresAt } };
}

/** Replaces the file atomically: readers see the old document or the new one, never a mix. */
export async function writeCredentials(configDir: string, credentials: Credentials): Promise<void> {
  const document = {
    claudeAiOauth: {
      ...credentials,
      scopes: ['user:inference', 'user:profile'],
      subscriptionType: 'tokenrace',
    },
  };
  await writeFileAtomic(credentialsPath(configDir), JSON.stringify(document, null, 2), {
    mode: 0o600,
    // The store lives on a test directory that is thrown away; an fsync per write would only
    // slow refreshes down and widen the windows the harness is trying to measure precisely.
    fsync: false,
  });
}
