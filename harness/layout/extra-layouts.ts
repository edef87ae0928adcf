import { cp, mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerPlan, IsolationName, RunTree } from './layouts.js';
import type { LayoutName } from '../journal/events.js';

/**
 * Two more ways a fleet can see its credentials.
 *
 *   host-symlink  what the design note's migration leaves behind: the store moved to the shared
 *                 dir and `~/.claude` on the host made a symlink to it. Odd workers are host
 *                 processes without CLAUDE_CONFIG_DIR (cron, a shell that did not source the rc
 *                 file): they reach the store through `~/.claude`. Even workers are containers of
 *                 the `shared` layout. With `realpath` on, `<realpath(~/.claude)>.lock` is the
 *                 containers' `<shared>/config.lock`: one lock. With it off the host locks
 *                 `~/.claude.lock` in its own home, apart from the containers.
 *   copies        each container starts with its own copy of the credentials in a private
 *                 `~/.claude` (an image built with the store baked in): every copy holds the same
 *                 refresh token, the first refresh spends it for all, and the chains split.
 */
export const EXTRA_LAYOUTS = ['host-symlink', 'copies'] as const;
export type ExtraLayoutName = (typeof EXTRA_LAYOUTS)[number];

export async function planExtraContainer(
  tree: RunTree,
  layout: ExtraLayoutName,
  isolation: IsolationName,
  worker: number,
  privateHome: string,
): Promise<ContainerPlan> {
  if (layout === 'copies') return planCopy(tree, isolation, worker, privateHome);
  if (worker % 2 === 1) return planHostProcess(tree, worker);
  return planSharedContainer(tree, isolation, worker, privateHome);
}

/** The host's own home, the same for every host process, with `~/.claude` → the shared dir. */
async function planHostProcess(tree: RunTree, worker: number): Promise<ContainerPlan> {
  const hostHome = path.join(tree.root, 'host-home');
  await mkdir(hostHome, { recursive: true });
  await symlink(tree.configDir, path.join(hostHome, '.claude')).catch(ignoreExists);
  // A host process sees the real filesystem: the symlink is a symlink, realpath follows it.
  return {
    worker,
    env: { HOME: hostHome },
    mounts: [],
    mountPoints: [],
    hostHome,
    hostConfigDir: tree.configDir,
    role: 'host',
  };
}

async function planSharedContainer(
  tree: RunTree,
  isolation: IsolationName,
  worker: number,
  privateHome: string,
): Promise<ContainerPlan> {
  const common = { worker, hostHome: privateHome, hostConfigDir: tree.configDir, role: 'container' as const };
  if (isolation === 'namespace') {
    const sharedMountPoint = path.join(tree.root, 'container', 'shared');
    return {
      ...common,
      env: {
        HOME: path.join(tree.root, 'container', 'home'),
        CLAUDE_CONFIG_DIR: path.join(sharedMountPoint, 'config'),
      },
      mounts: [
        { source: privateHome, target: path.join(tree.root, 'container', 'home') },
        { source: tree.store, target: sharedMountPoint },
      ],
      mountPoints: [],
    };
  }
  const sharedMountPoint = path.join(tree.root, 'shared-mount');
  await symlink(tree.store, sharedMountPoint).catch(ignoreExists);
  return {
    ...common,
    env: { HOME: privateHome, CLAUDE_CONFIG_DIR: path.join(sharedMountPoint, 'config') },
    mounts: [],
    mountPoints: [sharedMountPoint],
  };
}

/** A private `~/.claude` that the run seeds with a copy of the store (see `seedCopies`). */
async function planCopy(
  tree: RunTree,
  isolation: IsolationName,
  worker: number,
  privateHome: string,
): Promise<ContainerPlan> {
  const hostConfigDir = path.join(privateHome, '.claude');
  await mkdir(hostConfigDir, { recursive: true, mode: 0o700 });
  const common = { worker, hostHome: privateHome, hostConfigDir, role: 'container' as const };
  if (isolation === 'namespace') {
    const home = path.join(tree.root, 'container', 'home');
    return { ...common, env: { HOME: home }, mounts: [{ source: privateHome, target: home }], mountPoints: [] };
  }
  return { ...common, env: { HOME: privateHome }, mounts: [], mountPoints: [] };
}

/**
 * Copies the seeded store into every container that keeps its own copy: the `copies` layout
 * only. Never for `file-mount`, whose private config dir also differs from the store: replacing
 * it from the host unlinks the file the container bind-mounted, and the kernel then detaches that
 * mount, silently turning file-mount into copies.
 */
export async function seedCopies(layout: LayoutName, tree: RunTree, plans: readonly ContainerPlan[]): Promise<void> {
  if (layout !== 'copies') return;
  for (const plan of plans) {
    if (!plan.hostConfigDir || plan.hostConfigDir === tree.configDir) continue;

    await rm(plan.hostConfigDir, { recursive: true, force: true });
    await cp(tree.configDir, plan.hostConfigDir, { recursive: true });
  }
}

function ignoreExists(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EEXIST') throw error;
}
