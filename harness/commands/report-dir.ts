import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
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
    await mkdir(path.resolve(out), { recursive: true });
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
