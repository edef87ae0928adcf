import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TokenraceError } from '../errors.js';
import type { ContainerPlan, RunTree } from './layouts.js';

/**
 * The `file-mount` layout: only `.credentials.json` is bind-mounted into each container, at
 * `$HOME/.claude/.credentials.json`; the rest of the config dir and `$HOME` are the container's
 * own. Every lock a client takes, inside the config dir or beside it, therefore lands on a
 * directory no other container sees: only the file itself is shared.
 *
 * A bind mount of a single file pins its inode: a client that replaces the file by renaming a
 * temp file over it gets EBUSY inside the container, and a writer on the host that renames would
 * leave containers looking at the old inode. So the store is seeded before containers start, and
 * the layout needs real mount namespaces (symlinks cannot model a pinned inode).
 */
export const FILE_MOUNT_LAYOUT = 'file-mount';

export async function planFileMountContainer(
  tree: RunTree,
  worker: number,
  privateHome: string,
): Promise<ContainerPlan> {
  const home = path.join(tree.root, 'container', 'home');
  const privateConfig = path.join(privateHome, '.claude');
  await mkdir(privateConfig, { recursive: true, mode: 0o700 });
  // The mount target must exist as a file before `mount --bind` can cover it.
  await writeFile(path.join(privateConfig, '.credentials.json'), '', { mode: 0o600, flag: 'a' });

  return {
    worker,
    env: { HOME: home },
    mounts: [
      { source: privateHome, target: home },
      {
        source: path.join(tree.configDir, '.credentials.json'),
        target: path.join(home, '.claude', '.credentials.json'),
      },
    ],
    mountPoints: [],
  };
}

export function refuseFileMountWithoutNamespaces(): never {
  throw new TokenraceError(
    'ERR_ISOLATION_UNAVAILABLE',
    '--layouts: got "file-mount", but it needs --isolation namespace (a bind-mounted file cannot be modelled with symlinks)',
  );
}
