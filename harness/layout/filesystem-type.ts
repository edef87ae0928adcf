import { statfs } from 'node:fs/promises';

// Apart from filesystems.ts (and its zod schema) because every client process calls it at start.

/** statfs magic numbers of the filesystems a run is likely to meet (see statfs(2)). */
const FS_MAGIC: Record<number, string> = {
  0xef53: 'ext4',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlay',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x6969: 'nfs',
  0x65735546: 'fuse',
  0x2fc12fc1: 'zfs',
};

/** The filesystem type of a path as this process sees it (`stat -f -c %T`, roughly). */
export async function filesystemType(target: string): Promise<string> {
  try {
    const { type } = await statfs(target);
    return FS_MAGIC[type] ?? `0x${type.toString(16)}`;
  } catch {
    return 'unknown';
  }
}
