import { mkdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { INSIDE_LOCK_NAME } from '../client/lock-set.js';
import type { ContainerPlan } from '../layout/layouts.js';
import type { WorkerFaults } from './worker-faults.js';

/**
 * The `future-lock` fault: a lock dir left behind by a process whose clock ran ahead (or that
 * died just before an NTP step back). proper-lockfile calls a lock stale when its mtime is older
 * than `now - stale`; one dated `aheadMs` in the future blocks everyone for `aheadMs + stale`.
 *
 * It is planted, before the fleet starts its workload, at every place a client of the fleet may
 * lock: beside each container's config dir and home `.claude`, and inside the config dir. A lock
 * dir where nobody locks is inert, so planting too many is harmless.
 */
export async function plantFutureLocks(
  faults: WorkerFaults,
  plans: readonly ContainerPlan[],
  onPlanted: (aheadMs: number, lockPath: string) => void,
): Promise<string[]> {
  const planted: string[] = [];
  for (const fault of faults) {
    if (fault.kind !== 'future-lock') continue;

    const dated = new Date(Date.now() + fault.aheadMs);
    for (const lockPath of candidateLockPaths(plans)) {
      await mkdir(lockPath, { recursive: true });
      await utimes(lockPath, dated, dated);
      planted.push(lockPath);
      onPlanted(fault.aheadMs, lockPath);
    }
  }
  return planted;
}

function candidateLockPaths(plans: readonly ContainerPlan[]): string[] {
  const paths = new Set<string>();
  for (const plan of plans) {
    if (plan.hostConfigDir) {
      paths.add(plan.hostConfigDir + '.lock');
      paths.add(path.join(plan.hostConfigDir, INSIDE_LOCK_NAME));
    }
    if (plan.hostHome) paths.add(path.join(plan.hostHome, '.claude.lock'));
  }
  return [...paths];
}
