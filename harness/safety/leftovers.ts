import { readdir, readFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RUN_MARKER_VARIABLE } from './run-marker.js';

/**
 * Counts what a run left behind: processes that carry its marker, mounts under its directories
 * (in the host's mount table and in every mount namespace a live process holds), and
 * `tokenrace-*` temp directories. Used by the cleanup tests and the cleanup bench, where zero of
 * each is the only acceptable answer.
 */
export interface Leftovers {
  processes: Array<{ pid: number; command: string }>;
  mounts: string[];
  tempDirs: string[];
}

export interface LeftoverQuery {
  /** The run's marker (see run-marker.ts). */
  marker: string;
  /** Mount points under this directory count as the run's. Default: the temp dir. */
  mountRoot?: string;
  /** Where the run makes its temp dirs. Default: os.tmpdir(). */
  tempRoot?: string;
}

export async function countLeftovers(query: LeftoverQuery): Promise<Leftovers> {
  const tempRoot = query.tempRoot ?? tmpdir();
  const [processes, mounts, tempDirs] = await Promise.all([
    findMarkedProcesses(query.marker),
    findMounts(query.mountRoot ?? tempRoot),
    findTempDirs(tempRoot),
  ]);
  return { processes, mounts, tempDirs };
}

export function isClean(leftovers: Leftovers): boolean {
  return leftovers.processes.length + leftovers.mounts.length + leftovers.tempDirs.length === 0;
}

/** Live processes whose environment or command line holds the marker (zombies excluded). */
export async function findMarkedProcesses(marker: string): Promise<Array<{ pid: number; command: string }>> {
  const needle = `${RUN_MARKER_VARIABLE}=${marker}`;
  const found: Array<{ pid: number; command: string }> = [];
  for (const pid of await listPids()) {
    if (pid === process.pid) continue;
    const [environ, cmdline, stat] = await Promise.all([
      readProc(pid, 'environ'),
      readProc(pid, 'cmdline'),
      readProc(pid, 'stat'),
    ]);
    if (isZombie(stat)) continue;
    const hasMarker = environ.split('\0').includes(needle) || cmdline.includes(marker);
    if (hasMarker) found.push({ pid, command: cmdline.replaceAll('\0', ' ').trim() });
  }
  return found;
}

/**
 * Mount points under `root`, in this process's mount table and in the mount namespace of every
 * other process (a namespace lives as long as a process in it does).
 */
export async function findMounts(root: string): Promise<string[]> {
  const seen = new Set<string>();
  const namespaces = new Set<string>();
  for (const pid of ['self', ...(await listPids()).map(String)]) {
    const namespace = await readlink(`/proc/${pid}/ns/mnt`).catch(() => null);
    if (namespace === null || namespaces.has(namespace)) continue;
    namespaces.add(namespace);
    const table = await readFile(`/proc/${pid}/mountinfo`, 'utf8').catch(() => '');
    for (const line of table.split('\n')) {
      const mountPoint = unescapeMountPath(line.split(' ')[4] ?? '');
      if (mountPoint.startsWith(root + path.sep)) seen.add(`${namespace} ${mountPoint}`);
    }
  }
  return [...seen];
}

/** `tokenrace-*` entries directly under the temp root. */
export async function findTempDirs(tempRoot: string): Promise<string[]> {
  const entries = await readdir(tempRoot).catch(() => [] as string[]);
  return entries.filter((name) => name.startsWith('tokenrace-')).map((name) => path.join(tempRoot, name));
}

async function listPids(): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  return entries.filter((name) => /^\d+$/.test(name)).map(Number);
}

async function readProc(pid: number, file: string): Promise<string> {
  return readFile(`/proc/${pid}/${file}`, 'latin1').catch(() => '');
}

/** The state letter follows the parenthesised command name, which may itself hold spaces. */
function isZombie(stat: string): boolean {
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X' || stat === '';
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
