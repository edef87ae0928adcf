import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { TokenraceError } from '../errors.js';

/**
 * The harness writes credential stores; it must never write one over a person's real store.
 * `--config-dir` is refused when it already holds a `.credentials.json` or when it is, or lies
 * under, the real `~/.claude` (or the `CLAUDE_CONFIG_DIR` of the shell that started the
 * harness), symlinks resolved, unless the override flag that says exactly that is given.
 */
export const CREDENTIALS_FILE = '.credentials.json';

export interface StoreGuardContext {
  /** The override flag's name, for the message. */
  overrideFlag: string;
  overridden: boolean;
  home?: string;
  env?: NodeJS.ProcessEnv;
}

/** Throws ERR_REAL_CREDENTIAL_STORE when `dir` looks like a real store and no override is given. */
export function guardConfigDir(dir: string, context: StoreGuardContext): void {
  if (context.overridden) return;

  const resolved = resolveExisting(path.resolve(dir));
  const why = realStoreReason(resolved, context);
  if (why === null) return;
  throw new TokenraceError(
    'ERR_REAL_CREDENTIAL_STORE',
    `--config-dir: got ${JSON.stringify(dir)}, which ${why}; expected a directory that is not a ` +
      `real credential store (pass --${context.overrideFlag} to use it anyway)`,
  );
}

function realStoreReason(resolved: string, context: StoreGuardContext): string | null {
  if (existsSync(path.join(resolved, CREDENTIALS_FILE))) return `already holds ${CREDENTIALS_FILE}`;

  const env = context.env ?? process.env;
  const home = context.home ?? homedir();
  const protectedDirs = [path.join(home, '.claude'), env.CLAUDE_CONFIG_DIR].filter(isNonEmpty);
  for (const candidate of protectedDirs) {
    const store = resolveExisting(path.resolve(candidate));
    if (isSameOrInside(resolved, store)) return `is inside the real credential store ${store}`;
  }
  return null;
}

/**
 * The real path of `target`, following symlinks as far as the path exists; the missing tail is
 * appended as written. So a symlink to ~/.claude, or a dir to be created below one, is caught.
 */
export function resolveExisting(target: string): string {
  let existing = target;
  const missing: string[] = [];
  while (!existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    missing.unshift(path.basename(existing));
    existing = parent;
  }
  try {
    return path.join(realpathSync(existing), ...missing);
  } catch {
    return target;
  }
}

function isSameOrInside(candidate: string, root: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function isNonEmpty(value: string | undefined): value is string {
  return typeof value === 'string' && value.length > 0;
}
