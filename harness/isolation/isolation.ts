import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TokenraceError } from '../errors.js';
import type { ContainerPlan, IsolationName } from '../layout/layouts.js';

/**
 * Isolation: how a container is made.
 *
 *   namespace  a private mount namespace per container (`unshare --mount`, plus `--user
 *              --map-root-user` when not root) with real bind mounts. Mounts die with the
 *              namespace, so nothing can leak onto the host even if the harness is killed.
 *   paths      plain directories and symlinks; works anywhere, models the mounts.
 *   auto       namespace where a probe shows it works, else paths.
 */
export type IsolationRequest = IsolationName | 'auto';

export interface IsolationChoice {
  isolation: IsolationName;
  reason: string;
}

/**
 * Mounts are made by a tiny shell script inside the new namespace, then the client is exec'd in
 * place, so the client's pid is the one the worker spawned and signals reach it directly.
 */
const ENTER_CONTAINER_SCRIPT =
  'set -e; while [ "$1" != "--" ]; do case "$1" in ' +
  // A source `overlay:<options>` is an overlay mount (an overlay $HOME), anything else a bind.
  'overlay:*) mount -t overlay overlay -o "${1#overlay:}" "$2";; ' +
  '*) mount --bind "$1" "$2";; esac; shift 2; done; shift; exec "$@"';

export function unshareArgs(): string[] {
  const asRoot = process.getuid?.() === 0;
  const userNamespace = asRoot ? [] : ['--user', '--map-root-user'];
  return [...userNamespace, '--mount', '--propagation', 'private', '--'];
}

/** The command that starts `client` (argv) inside the container the plan describes. */
export function containerCommand(
  isolation: IsolationName,
  plan: ContainerPlan,
  client: string[],
): { file: string; args: string[] } {
  if (isolation === 'paths') return { file: client[0]!, args: client.slice(1) };

  const mountArgs = plan.mounts.flatMap((mount) => [mount.source, mount.target]);
  return {
    file: 'unshare',
    args: [...unshareArgs(), 'sh', '-c', ENTER_CONTAINER_SCRIPT, 'enter-container', ...mountArgs, '--', ...client],
  };
}

let probed: IsolationChoice | null = null;

/** Checks, once per process, that a bind mount inside a fresh mount namespace really works. */
export function probeNamespaces(): IsolationChoice {
  if (probed) return probed;
  probed = runProbe();
  return probed;
}

function runProbe(): IsolationChoice {
  if (process.platform !== 'linux') {
    return { isolation: 'paths', reason: `mount namespaces need Linux (this is ${process.platform})` };
  }

  let scratch: string;
  try {
    scratch = mkdtempSync(path.join(tmpdir(), 'tokenrace-probe-'));
  } catch (error) {
    // The probe is the first thing to write to TMPDIR; say so as the output checks would.
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TokenraceError('ERR_OUTPUT_UNWRITABLE', `TMPDIR: cannot write to ${JSON.stringify(tmpdir())} (${code})`, { cause: error });
  }
  try {
    mkdirSync(path.join(scratch, 'a'));
    mkdirSync(path.join(scratch, 'b'));
    const plan: ContainerPlan = {
      worker: 0,
      env: { HOME: scratch },
      mounts: [{ source: path.join(scratch, 'a'), target: path.join(scratch, 'b') }],
      mountPoints: [],
    };
    const { file, args } = containerCommand('namespace', plan, ['true']);
    const result = spawnSync(file, args, { encoding: 'utf8', timeout: 10_000 });
    if (result.error) return { isolation: 'paths', reason: `unshare unavailable: ${result.error.message}` };
    if (result.status !== 0) {
      const detail = result.stderr.trim().split('\n')[0] ?? `exit ${result.status}`;
      return { isolation: 'paths', reason: `unshare --mount refused: ${detail}` };
    }
    const how = process.getuid?.() === 0 ? 'unshare --mount (root)' : 'unshare --user --mount';
    return { isolation: 'namespace', reason: `${how} with bind mounts works here` };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function chooseIsolation(requested: IsolationRequest): IsolationChoice {
  if (requested === 'paths') return { isolation: 'paths', reason: 'requested' };

  const probe = probeNamespaces();
  if (requested === 'auto') return probe;
  if (probe.isolation !== 'namespace') {
    throw new TokenraceError('ERR_ISOLATION_UNAVAILABLE', `--isolation: got "namespace", but ${probe.reason}`);
  }
  return { isolation: 'namespace', reason: 'requested; ' + probe.reason };
}
