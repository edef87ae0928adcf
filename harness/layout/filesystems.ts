import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { invalidOption, refuseIssue } from '../errors.js';
import type { ContainerPlan, RunTree } from './layouts.js';

/**
 * Which filesystem the shared store and each container's `$HOME` sit on. The design note says
 * `mkdir` is atomic on any POSIX filesystem; these let the suite check the lock on several.
 *
 *   disk     a directory under the OS temp dir (whatever the machine's disk is).
 *   tmpfs    a directory under /dev/shm, a tmpfs every process of the run shares without a mount.
 *   overlay  (home only, namespace isolation) each container mounts an overlay over its `$HOME`,
 *            the private home as lower layer and a fresh upper layer, as container images do.
 *
 * TODO(feature): overlay for the shared store needs one overlay superblock that every container
 * sees (a mount made once in a namespace all containers enter); it is refused until then.
 */
export const filesystemsSchema = z
  .strictObject({
    store: z.enum(['disk', 'tmpfs']).default('disk'),
    home: z.enum(['disk', 'tmpfs', 'overlay']).default('disk'),
  })
  .default({ store: 'disk', home: 'disk' });

export type Filesystems = z.output<typeof filesystemsSchema>;

export const TMPFS_PARENT = '/dev/shm';

export function resolveFilesystems(input: unknown, isolation: string, field = 'filesystems'): Filesystems {
  const parsed = filesystemsSchema.safeParse(input);
  if (!parsed.success) throw refuseIssue(parsed.error.issues[0]!, input, field);
  if (parsed.data.home === 'overlay' && isolation !== 'namespace') {
    const expected = 'disk or tmpfs under paths isolation (overlay needs a mount namespace)';
    throw invalidOption(`${field}.home`, 'overlay', expected);
  }
  return parsed.data;
}

export interface PlacedFilesystems {
  storeParent?: string;
  homesParent?: string;
  /** Removes what was made outside the run's scratch directory. */
  remove: () => Promise<void>;
}

/** Makes the directories the chosen filesystems need; the run tree goes inside them. */
export async function placeFilesystems(choice: Filesystems): Promise<PlacedFilesystems> {
  const wantsTmpfs = choice.store === 'tmpfs' || choice.home === 'tmpfs';
  if (!wantsTmpfs) return { remove: async () => undefined };

  const shm = await mkdtemp(path.join(TMPFS_PARENT, 'tokenrace-'));
  return {
    ...(choice.store === 'tmpfs' ? { storeParent: shm } : {}),
    ...(choice.home === 'tmpfs' ? { homesParent: shm } : {}),
    remove: () => rm(shm, { recursive: true, force: true }),
  };
}

/**
 * An overlay `$HOME`: the home's bind mount becomes an overlay mount (lower = the private home,
 * upper and work = fresh dirs of the run), made first so later mounts land inside it.
 */
export async function overlayHome(tree: RunTree, plan: ContainerPlan): Promise<ContainerPlan> {
  const home = plan.mounts.find((mount) => mount.target === plan.env.HOME);
  if (!home) return plan;

  const layers = path.join(tree.root, 'overlay', `w${plan.worker}`);
  await mkdir(path.join(layers, 'upper'), { recursive: true });
  await mkdir(path.join(layers, 'work'), { recursive: true });
  const options = `lowerdir=${home.source},upperdir=${layers}/upper,workdir=${layers}/work`;
  const overlay = { source: `overlay:${options}`, target: home.target };
  return { ...plan, mounts: [overlay, ...plan.mounts.filter((mount) => mount !== home)] };
}

export { filesystemType } from './filesystem-type.js';
