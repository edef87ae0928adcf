import { constants } from 'node:fs';
import { access, rm, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TokenraceError } from '../errors.js';

/**
 * Checks, before any worker starts, that a directory the run must write to can take what the
 * run will write: it is writable (a probe file is written, synced and removed) and its
 * filesystem has room. A run that could not keep its report or its store never starts.
 */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;
const PROBE_BYTES = 64 * 1024;

export async function checkWritableDir(dir: string, field: string): Promise<void> {
  const probe = path.join(dir, `.tokenrace-probe-${process.pid}`);
  try {
    await access(dir, constants.W_OK);
    await writeFile(probe, Buffer.alloc(PROBE_BYTES), { flush: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TokenraceError('ERR_OUTPUT_UNWRITABLE', `${field}: cannot write to ${JSON.stringify(dir)} (${code})`, {
      cause: error,
    });
  } finally {
    await rm(probe, { force: true });
  }

  const stats = await statfs(dir);
  const free = Number(stats.bavail) * Number(stats.bsize);
  if (free < MIN_FREE_BYTES) {
    throw new TokenraceError(
      'ERR_OUTPUT_UNWRITABLE',
      `${field}: got ${JSON.stringify(dir)} with ${free} bytes free, expected at least ${MIN_FREE_BYTES}`,
    );
  }
}
