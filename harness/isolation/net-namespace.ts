import { spawn, spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';

/**
 * A network namespace with loopback only, for runs of real clients: the coordinator re-executes
 * itself inside `unshare --net --mount`, so the endpoint, the HTTPS front and every container
 * share one private loopback and nothing any client does can leave the machine.
 */
export const NETNS_VARIABLE = 'TOKENRACE_NETNS';

export interface NetNamespaceProbe {
  available: boolean;
  reason: string;
}

/** True in the coordinator that was re-executed, once it has checked only loopback exists. */
export function isInsideRunNetns(): boolean {
  return process.env[NETNS_VARIABLE] === '1' && hasOnlyLoopback();
}

export function hasOnlyLoopback(): boolean {
  return Object.keys(networkInterfaces()).every((name) => name === 'lo');
}

let probed: NetNamespaceProbe | null = null;

export function probeNetNamespace(): NetNamespaceProbe {
  if (probed) return probed;
  const result = spawnSync('unshare', [...userArgs(), '--net', '--', 'ip', 'link', 'set', 'lo', 'up'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (result.error) probed = { available: false, reason: `unshare unavailable: ${result.error.message}` };
  else if (result.status !== 0) {
    probed = { available: false, reason: `unshare --net refused: ${result.stderr.trim().split('\n')[0]}` };
  } else probed = { available: true, reason: 'unshare --net with loopback only' };
  return probed;
}

/**
 * Runs this same command line again inside a fresh network and mount namespace and resolves to
 * its exit code. Signals are passed on, so Ctrl-C still writes the partial report.
 */
export function reexecInNetNamespace(argv: readonly string[]): Promise<number> {
  const script = 'ip link set lo up && exec "$@"';
  const child = spawn(
    'unshare',
    [...userArgs(), '--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'netns', process.execPath, ...argv],
    { stdio: 'inherit', env: { ...process.env, [NETNS_VARIABLE]: '1' } },
  );
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 4));
    });
  });
}

function userArgs(): string[] {
  return process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
}
