import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { LayoutName } from '../journal/events.js';
import { planFileMountContainer, refuseFileMountWithoutNamespaces } from './file-mount.js';
import { planExtraContainer } from './extra-layouts.js';

/**
 * Layouts: how a container sees the one shared credential store.
 *
 *   shared  The shared dir is mounted at the same absolute path in every container and
 *           CLAUDE_CONFIG_DIR points into it, so `<config dir>.lock` lands on the shared mount:
 *           every container locks the same directory. (The design note's fix.)
 *   legacy  The config dir is mounted at `$HOME/.claude` and `$HOME` is container-local, so
 *           `$HOME/.claude.lock` lands in each container's own `$HOME`: every container locks a
 *           directory of its own and nothing is serialised. (The old bug.)
 *
 * The run directory on the "host" side:
 *
 *   store/config/.credentials.json   the shared store (CLAUDE_SHARED_DIR/config)
 *   homes/w<N>/                      container N's private $HOME
 *   container/home, container/shared mount points every namespace container binds over
 */
export const LAYOUTS: readonly LayoutName[] = ['legacy', 'shared'];
/** Every layout the harness can build; `compare` runs LAYOUTS unless told otherwise. */
export const ALL_LAYOUTS: readonly LayoutName[] = ['legacy', 'shared', 'file-mount'];

export type IsolationName = 'namespace' | 'paths';

export interface BindMount {
  source: string;
  target: string;
}

export interface ContainerPlan {
  worker: number;
  /** The environment the client starts with: where it will look for its config. */
  env: { HOME: string; CLAUDE_CONFIG_DIR?: string };
  /** namespace isolation: bind mounts made, in order, inside the container's mount namespace. */
  mounts: BindMount[];
  /** paths isolation: symlinks that stand in for those mounts. */
  mountPoints: string[];
  /** The container's $HOME and config dir as the host (the coordinator) reaches them. */
  hostHome?: string;
  hostConfigDir?: string;
  /** `host`: a process on the host itself rather than in a container (host-symlink layout). */
  role?: 'host' | 'container';
}

export interface RunTree {
  root: string;
  store: string;
  configDir: string;
  /** Where the containers' private homes live (`<root>/homes` unless a filesystem says else). */
  homes: string;
}

/**
 * `storeParent` and `homesParent` put the store and the homes on another filesystem (a tmpfs
 * directory, see filesystems.ts); by default both sit under `root`.
 */
export async function createRunTree(
  root: string,
  where: { storeParent?: string; homesParent?: string } = {},
): Promise<RunTree> {
  const store = path.join(where.storeParent ?? root, 'store');
  const configDir = path.join(store, 'config');
  const homes = path.join(where.homesParent ?? root, 'homes');
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  await mkdir(homes, { recursive: true });
  await mkdir(path.join(root, 'container', 'home'), { recursive: true });
  await mkdir(path.join(root, 'container', 'shared'), { recursive: true });
  return { root, store, configDir, homes };
}

/** Creates container N's private directories and returns how to start it. */
export async function planContainer(
  tree: RunTree,
  layout: LayoutName,
  isolation: IsolationName,
  worker: number,
): Promise<ContainerPlan> {
  const privateHome = path.join(tree.homes, `w${worker}`);
  await mkdir(path.join(privateHome, '.claude'), { recursive: true });

  if (layout === 'file-mount') {
    if (isolation !== 'namespace') refuseFileMountWithoutNamespaces();
    const plan = await planFileMountContainer(tree, worker, privateHome);
    return { ...plan, hostHome: privateHome, hostConfigDir: path.join(privateHome, '.claude') };
  }
  if (layout === 'host-symlink' || layout === 'copies') {
    return planExtraContainer(tree, layout, isolation, worker, privateHome);
  }
  // Both layouts reach the one store; what differs is where `<config dir>.lock` lands.
  const hostConfigDir = tree.configDir;
  const plan =
    isolation === 'namespace'
      ? planNamespaceContainer(tree, layout, worker, privateHome)
      : await planPathsContainer(tree, layout, worker, privateHome);
  return { ...plan, hostHome: privateHome, hostConfigDir };
}

function planNamespaceContainer(
  tree: RunTree,
  layout: LayoutName,
  worker: number,
  privateHome: string,
): ContainerPlan {
  // Every container sees its $HOME at the same path, as containers built from one image do;
  // what differs is the directory mounted there.
  const home = path.join(tree.root, 'container', 'home');
  const homeMount = { source: privateHome, target: home };

  if (layout === 'shared') {
    const sharedMountPoint = path.join(tree.root, 'container', 'shared');
    return {
      worker,
      env: { HOME: home, CLAUDE_CONFIG_DIR: path.join(sharedMountPoint, 'config') },
      mounts: [homeMount, { source: tree.store, target: sharedMountPoint }],
      mountPoints: [],
    };
  }
  return {
    worker,
    env: { HOME: home },
    mounts: [homeMount, { source: tree.configDir, target: path.join(home, '.claude') }],
    mountPoints: [],
  };
}

async function planPathsContainer(
  tree: RunTree,
  layout: LayoutName,
  worker: number,
  privateHome: string,
): Promise<ContainerPlan> {
  // Without mount namespaces each container gets its own $HOME path, and a symlink stands in for
  // each bind mount. The client resolves lock paths without following those symlinks.
  if (layout === 'shared') {
    const sharedMountPoint = path.join(tree.root, 'shared-mount');
    await symlink(tree.store, sharedMountPoint).catch(ignoreExists);
    return {
      worker,
      env: { HOME: privateHome, CLAUDE_CONFIG_DIR: path.join(sharedMountPoint, 'config') },
      mounts: [],
      mountPoints: [sharedMountPoint],
    };
  }

  const claudeDir = path.join(privateHome, '.claude');
  await replaceWithSymlink(claudeDir, tree.configDir);
  return { worker, env: { HOME: privateHome }, mounts: [], mountPoints: [claudeDir] };
}

/** The config dir the client computes, as Claude Code does: CLAUDE_CONFIG_DIR, else ~/.claude. */
export function configDirFor(env: { HOME: string; CLAUDE_CONFIG_DIR?: string }): string {
  return env.CLAUDE_CONFIG_DIR ?? path.join(env.HOME, '.claude');
}

async function replaceWithSymlink(linkPath: string, target: string): Promise<void> {
  const { rm } = await import('node:fs/promises');
  await rm(linkPath, { recursive: true, force: true });
  await symlink(target, linkPath);
}

function ignoreExists(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EEXIST') throw error;
}
