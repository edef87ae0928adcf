import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TokenraceError, invalidOption } from '../errors.js';

/**
 * Getting a real Claude Code binary: a named version from the npm registry, installed once into a
 * cache directory the harness owns, or a binary the user names with --claude-bin.
 *
 * Newer versions ship a native executable in a platform package
 * (`@anthropic-ai/claude-code-linux-x64`); older ones are a `cli.js` that Node runs. Either way
 * the harness calls the file directly, with `--ignore-scripts`, so a blocked postinstall (the
 * main package's own launcher setup) never matters.
 */
const run = promisify(execFile);

/** The version CI runs and `--client claude-code` means without `@version`. */
export const PINNED_CLAUDE_VERSION = '2.1.197';
export const CLAUDE_PACKAGE = '@anthropic-ai/claude-code';
const VERSION_PATTERN = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

export interface ClaudeBinary {
  /** argv prefix that starts the client: [binary] or [node, cli.js]. */
  argv: string[];
  /** The version asked for, or 'custom' for --claude-bin. */
  version: string;
  kind: 'native' | 'cli.js';
}

export function cacheRoot(): string {
  return process.env.TOKENRACE_CACHE_DIR ?? path.join(homedir(), '.cache', 'tokenrace');
}

/** A binary the user already has: a native executable, or a cli.js that Node runs. */
export function claudeFromPath(file: string): ClaudeBinary {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw invalidOption('--claude-bin', file, 'an existing file');
  const isScript = absolute.endsWith('.js') || absolute.endsWith('.mjs');
  const argv = isScript ? [process.execPath, absolute] : [absolute];
  // A file that cannot run would otherwise show up as every run failing: lost sessions that
  // are not there. `--version` needs no network and no credentials.
  const probe = spawnSync(argv[0]!, [...argv.slice(1), '--version'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? (probe.error as NodeJS.ErrnoException).code ?? probe.error.message : `exit ${probe.status ?? probe.signal}`;
    throw invalidOption('--claude-bin', file, `a Claude Code binary that runs (\`--version\` failed: ${why})`);
  }
  return { argv, version: 'custom', kind: isScript ? 'cli.js' : 'native' };
}

/** The binary of `version`, installing it from the npm registry if the cache lacks it. */
export async function installClaude(version: string): Promise<ClaudeBinary> {
  if (!VERSION_PATTERN.test(version)) {
    throw invalidOption('--client', `claude-code@${version}`, 'claude-code@<x.y.z>, a published version');
  }
  const prefix = path.join(cacheRoot(), 'claude-code', version);
  const cached = findInstalled(prefix, version);
  if (cached) return cached;

  const platformPackage = `${CLAUDE_PACKAGE}-${process.platform}-${process.arch}`;
  // Asked before anything is made in the cache, so an unknown version leaves nothing behind.
  const optional = await npmJson(['view', `${CLAUDE_PACKAGE}@${version}`, 'optionalDependencies']);
  await mkdir(prefix, { recursive: true });
  const isNative = typeof optional === 'object' && optional !== null && platformPackage in optional;
  const spec = isNative ? `${platformPackage}@${version}` : `${CLAUDE_PACKAGE}@${version}`;
  await npm(['install', '--prefix', prefix, '--ignore-scripts', '--omit=optional', '--no-audit', '--no-fund', '--no-save', spec]);

  const installed = findInstalled(prefix, version);
  if (!installed) {
    throw new TokenraceError('ERR_CLIENT_INSTALL', `${spec} installed, but it holds no binary for ${process.platform}-${process.arch}`);
  }
  return installed;
}

function findInstalled(prefix: string, version: string): ClaudeBinary | null {
  const modules = path.join(prefix, 'node_modules', '@anthropic-ai');
  const native = path.join(modules, `claude-code-${process.platform}-${process.arch}`, 'claude');
  if (existsSync(native)) return { argv: [native], version, kind: 'native' };
  const script = path.join(modules, 'claude-code', 'cli.js');
  if (existsSync(script)) return { argv: [process.execPath, script], version, kind: 'cli.js' };
  return null;
}

/** Every published version, oldest first, as the registry lists them. */
export async function publishedVersions(): Promise<string[]> {
  const versions = await npmJson(['view', CLAUDE_PACKAGE, 'versions']);
  return Array.isArray(versions) ? versions.map(String) : [];
}

async function npmJson(args: string[]): Promise<unknown> {
  const output = await npm([...args, '--json']);
  return output.trim() ? JSON.parse(output) : null;
}

async function npm(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('npm', args, { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    const spec = args.find((arg) => arg.startsWith(CLAUDE_PACKAGE));
    // A version the registry does not have is the user's mistake, not the harness's.
    if (stderr.includes('E404') && spec) throw invalidOption('--client', spec.replace(CLAUDE_PACKAGE, 'claude-code'), 'a version the npm registry has');
    // npm's last line points at its debug log; the line before says what went wrong.
    const lines = stderr.trim().split('\n').filter((line) => !line.includes('A complete log of this run'));
    const detail = lines.at(-1) ?? String(error);
    throw new TokenraceError('ERR_CLIENT_INSTALL', `npm ${args.slice(0, 2).join(' ')}: ${detail}`, { cause: error });
  }
}
