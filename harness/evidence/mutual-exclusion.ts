import type { JournalEvent } from '../journal/events.js';
import { formatCount, statusOf, type CheckResult, type Violation } from './check-result.js';
import { eventsAround, extractHolds, type Hold } from './history.js';

/**
 * Mutual exclusion: no two workers hold the same lock location at once. Where the layout is
 * meant to coordinate (every layout sharing one store is), two holders of *different* locations
 * at once count too: that is the legacy bug as a history, each container serialising against
 * nobody but itself.
 *
 * Holds run from `lock_acquired` (emitted after the lock was taken) to `lock_releasing` (emitted
 * before it is given back), so a reported hold lies inside the real one: an overlap here is an
 * overlap in fact, given the shared clock.
 */
export interface MutualExclusionOptions {
  /** Count overlapping holds of different locations (the layout is meant to serialise). */
  coordinates: boolean;
}

export function checkMutualExclusion(history: readonly JournalEvent[], options: MutualExclusionOptions): CheckResult {
  const holds = extractHolds(history).sort((a, b) => a.start - b.start);
  const same: Array<[Hold, Hold]> = [];
  const different: Array<[Hold, Hold]> = [];
  const active: Hold[] = [];

  for (const hold of holds) {
    // Holds that ended at or before this one started no longer overlap anything to come.
    for (let index = active.length - 1; index >= 0; index -= 1) {
      if (active[index]!.end <= hold.start) active.splice(index, 1);
    }
    for (const other of active) {
      if (other.worker === hold.worker) continue;
      (other.location === hold.location ? same : different).push([other, hold]);
    }
    active.push(hold);
  }

  const counted = options.coordinates ? [...same, ...different] : same;
  counted.sort((a, b) => a[1].start - b[1].start);
  const first = counted[0];
  return {
    checker: 'mutual_exclusion',
    status: statusOf(holds.length, counted.length),
    summary: summarize(holds, same.length, different.length, options.coordinates),
    checked: holds.length,
    violations: counted.length,
    first_violation: first ? describe(history, first) : null,
  };
}

function summarize(holds: readonly Hold[], same: number, different: number, coordinates: boolean): string {
  const locations = new Set(holds.map((hold) => hold.location)).size;
  if (holds.length === 0) return 'no lock was ever held';

  const base = `${formatCount(holds.length)} holds on ${locations} lock location(s)`;
  const parts = [`${formatCount(same)} overlapping holds of one location`];
  parts.push(`${formatCount(different)} of different locations${coordinates ? '' : ' (not counted)'}`);
  return `${base}: ${parts.join(', ')}`;
}

function describe(history: readonly JournalEvent[], [a, b]: [Hold, Hold]): Violation {
  const where = a.location === b.location ? `the same lock ${a.location}` : `different locks (${a.location} and ${b.location})`;
  return {
    t: b.start,
    description:
      `workers ${a.worker} and ${b.worker} held ${where} at the same time: ` +
      `${a.worker} from ${a.start} ms to ${a.end} ms, ${b.worker} from ${b.start} ms`,
    events: eventsAround(history, b.start),
  };
}
