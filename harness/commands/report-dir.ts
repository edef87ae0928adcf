import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { TokenraceError } from '../errors.js';

/** `20261203-134501-3fa2`: sorts by time, unique enough for one machine. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * Creates `<out>/<run id>/` before anything runs, so an unwritable --out is found at once and a
 * run never starts that could not keep its report.
 */
export async function createReportDir(out: string, runId: string): Promise<string> {
  const reportDir = path.resolve(out, runId);
  try {
    await makeDirectories(path.resolve(out));
    await mkdir(reportDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TokenraceError('ERR_OUTPUT_UNWRITABLE', `--out: cannot write to ${JSON.stringify(out)} (${code})`, {
      cause: error,
    });
  }
  return reportDir;
}

export async function removeReportDir(reportDir: string): Promise<void> {
  await rm(reportDir, { recursive: true, force: true });
}

/**
 * `mkdir -p`, one level at a time. Node's own `{ recursive: true }` never returns for a path
 * under /proc (mkdir answers ENOENT, the parent exists, and it tries again forever); this fails
 * at the first level that cannot be made, with that level's error code.
 */
export async function makeDirectories(target: string): Promise<void> {
  const missing: string[] = [];
  for (let cursor = path.resolve(target); !(await isDirectory(cursor)); cursor = path.dirname(cursor)) {
    missing.unshift(cursor);
    if (path.dirname(cursor) === cursor) break;
  }
  for (const directory of missing) {
    await mkdir(directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

async function isDirectory(candidate: string): Promise<boolean> {
  return stat(candidate).then(
    (found) => found.isDirectory(),
    () => false,
  );
}
