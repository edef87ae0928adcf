import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { LockSeenEvent } from '../journal/real-client-events.js';
import type { RunTree } from '../layout/layouts.js';

/**
 * Sees the locks a real client takes without its help: inotify on every directory a refresh
 * lock can live in. Bind mounts share the inode, so a lock a container makes through its own
 * mount shows up here on the host side of the tree:
 *
 *   store/config/       the shared config dir        → inside-config (`*refresh*.lock`), shared
 *   store/              beside it (`config.lock`)    → beside-config, shared
 *   homes/w<N>/         `$HOME` of container N       → beside-config (`.claude.lock`), own
 *   homes/w<N>/.claude/ its private config dir       → inside-config, own (file-mount only)
 *
 * proper-lockfile's lock is a directory that lives only while it is held, so a poll could miss
 * it; inotify reports its creation however short it lives.
 */
// TODO(evidence): a lock on a shared directory cannot be tied to the container that took it, and
// only creation is seen, not how long it was held; the ledger carries the verdict, this explains it.
export type LockSighting = Omit<LockSeenEvent, 't' | 'layout' | 'type'>;

interface WatchedDir {
  dir: string;
  worker: number | null;
  /** The config dir this directory is, or holds beside itself, by name. */
  isConfigDir: boolean;
  besideName: string | null;
}

export class LockWatcher {
  readonly #watchers: FSWatcher[] = [];

  constructor(tree: RunTree, workers: number, onLock: (sighting: LockSighting) => void) {
    const dirs: WatchedDir[] = [
      { dir: tree.configDir, worker: null, isConfigDir: true, besideName: null },
      { dir: tree.store, worker: null, isConfigDir: false, besideName: `${path.basename(tree.configDir)}.lock` },
    ];
    for (let worker = 1; worker <= workers; worker += 1) {
      const home = path.join(tree.homes, `w${worker}`);
      dirs.push({ dir: home, worker, isConfigDir: false, besideName: '.claude.lock' });
      dirs.push({ dir: path.join(home, '.claude'), worker, isConfigDir: true, besideName: null });
    }
    for (const watched of dirs) this.#watch(tree.root, watched, onLock);
  }

  close(): void {
    for (const watcher of this.#watchers) watcher.close();
  }

  /** Locks that exist now: inotify may report one creation twice, and a lock is seen once. */
  readonly #present = new Set<string>();

  #watch(root: string, watched: WatchedDir, onLock: (sighting: LockSighting) => void): void {
    // Containers' own directories may not exist yet: make them, so no early lock goes unseen.
    mkdirSync(watched.dir, { recursive: true });
    const watcher = watch(watched.dir, (eventType, filename) => {
      if (eventType !== 'rename' || !filename || !filename.endsWith('.lock')) return;
      const full = path.join(watched.dir, filename);
      // A rename event fires on removal too; only an entry that exists now was just created.
      if (!existsSync(full)) {
        this.#present.delete(full);
        return;
      }
      if (this.#present.has(full)) return;
      this.#present.add(full);
      onLock({
        worker: watched.worker,
        path: relativeName(root, full),
        place: classify(watched, filename),
        shared: watched.worker === null,
      });
    });
    watcher.on('error', () => watcher.close());
    this.#watchers.push(watcher);
  }
}

/**
 * Only refresh locks count as inside or beside: Claude Code also locks its settings file
 * (`.claude.json.lock`) and its storage writes (`.storage-write.lock`), which serialise nothing
 * about the refresh. Those are listed as `other`.
 */
function classify(watched: WatchedDir, filename: string): LockSighting['place'] {
  if (watched.isConfigDir) return /refresh/i.test(filename) ? 'inside-config' : 'other';
  return filename === watched.besideName ? 'beside-config' : 'other';
}

/** `store/...` and `homes/w<N>/...` even when the homes live on another filesystem. */
function relativeName(root: string, full: string): string {
  const relative = path.relative(root, full);
  if (!relative.startsWith('..')) return relative;
  const homes = full.lastIndexOf(`${path.sep}homes${path.sep}`);
  return homes >= 0 ? full.slice(homes + 1) : relative;
}
