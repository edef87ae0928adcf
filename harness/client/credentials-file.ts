import { open, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
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
  // A wiped store (empty tokens, as Claude Code leaves it after invalid_grant) is logged out.
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || refreshToken === '') {
    return { status: 'missing' };
  }
  if (typeof expiresAt !== 'number') return { status: 'unparseable', detail: 'expiresAt' };
  return { status: 'ok', credentials: { accessToken, refreshToken, expiresAt } };
}

/**
 * Replaces the file atomically: readers see the old document or the new one, never a mix.
 * Where the file itself is a bind mount (the `file-mount` layout) a rename onto it fails with
 * EBUSY; like any client that works in that layout, this one then writes in place.
 */
export async function writeCredentials(configDir: string, credentials: Credentials): Promise<void> {
  try {
    await writeFileAtomic(credentialsPath(configDir), serializeCredentials(credentials), {
      mode: 0o600,
      // The store lives on a test directory that is thrown away; an fsync per write would only
      // slow refreshes down and widen the windows the harness is trying to measure precisely.
      fsync: false,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
    await writeCredentialsInPlace(configDir, credentials, 0);
  }
}

function serializeCredentials(credentials: Credentials): string {
  const document = {
    claudeAiOauth: {
      ...credentials,
      scopes: ['user:inference', 'user:profile'],
      subscriptionType: 'tokenrace',
    },
  };
  return JSON.stringify(document, null, 2);
}

/**
 * Truncates the file and writes into it, as a client that does not rename would: a reader in
 * between sees an empty or half-written file. `gapMs` splits the write into two halves that far
 * apart (a slow disk or network filesystem), so the window can be made wide enough to observe.
 */
export async function writeCredentialsInPlace(
  configDir: string,
  credentials: Credentials,
  gapMs: number,
): Promise<void> {
  const text = serializeCredentials(credentials);
  const file = await open(credentialsPath(configDir), 'w', 0o600);
  try {
    if (gapMs <= 0) {
      await file.writeFile(text);
      return;
    }
    const half = Math.floor(text.length / 2);
    await file.write(text.slice(0, half));
    await sleep(gapMs);
    await file.write(text.slice(half));
  } finally {
    await file.close();
  }
}

/** What Claude Code leaves after invalid_grant: the tokens cleared, `expiresAt` 0. */
export async function wipeCredentials(configDir: string): Promise<void> {
  await writeCredentials(configDir, { accessToken: '', refreshToken: '', expiresAt: 0 });
}
