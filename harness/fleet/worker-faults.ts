import { z } from 'zod';
import { refuseIssue } from '../errors.js';

/**
 * Faults done to the containers of a fleet (not to the endpoint). Each names the workers it hits
 * (1-based) and how many times it fires in a worker's life; a worker's life spans its restarts.
 *
 *   kill-holding-lock       SIGKILL right after the refresh lock is taken: the lock dir is
 *                           orphaned and blocks everyone until it is `stale`.
 *   kill-before-write       SIGKILL after the token response arrived and before it was written:
 *                           the server rotated, the store never learns the new token.
 *   stall-holding-lock      a busy-wait of `stallMs` right after taking the lock: proper-lockfile's
 *                           heartbeat cannot run, another process may take the lock as stale, and
 *                           the holder's `onCompromised` fires when its heartbeat resumes.
 *   remove-lock-while-held  `afterMs` after taking the lock, the lock dir is removed (as an operator
 *                           clearing a "stuck" lock would); the holder goes on, unaware until its
 *                           next heartbeat.
 *   clock-offset            the container's `Date.now` runs `offsetMs` ahead (or behind): token
 *                           expiry, proper-lockfile's stale checks, and every lock mtime it writes.
 *                           Not shifted: times the kernel stamps, the endpoint's clock, the journal.
 *   future-lock             before the run, an orphaned lock dir dated `aheadMs` in the future is
 *                           left at every lock path the fleet's clients use.
 *
 * A killed client is restarted in its container (`restart: true`, as an orchestrator would
 * restart it) or stays dead; either way the report counts it.
 */
const workers = z.array(z.number().int().min(1).max(256)).min(1).default([1]);
const times = z.number().int().min(1).max(1000).default(1);

export const workerFaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('kill-holding-lock'), workers, times, restart: z.boolean().default(true) }),
  z.strictObject({ kind: z.literal('kill-before-write'), workers, times, restart: z.boolean().default(true) }),
  z.strictObject({
    kind: z.literal('stall-holding-lock'),
    workers,
    times,
    stallMs: z.number().int().min(1).max(600_000),
  }),
  z.strictObject({
    kind: z.literal('remove-lock-while-held'),
    workers,
    times,
    afterMs: z.number().int().min(0).max(600_000).default(0),
  }),
  z.strictObject({
    kind: z.literal('clock-offset'),
    workers,
    offsetMs: z.number().int().min(-86_400_000).max(86_400_000),
  }),
  z.strictObject({ kind: z.literal('future-lock'), aheadMs: z.number().int().min(1).max(86_400_000) }),
]);

export const workerFaultsSchema = z.array(workerFaultSchema).default([]);

export type WorkerFault = z.output<typeof workerFaultSchema>;
export type WorkerFaultKind = WorkerFault['kind'];
export type WorkerFaults = WorkerFault[];

export function resolveWorkerFaults(input: unknown, field = 'workerFaults'): WorkerFaults {
  const parsed = workerFaultsSchema.safeParse(input);
  if (parsed.success) return parsed.data;

  throw refuseIssue(parsed.error.issues[0]!, input, field);
}

/** The faults that hit one worker (future-lock hits the store, not a worker). */
export function faultsForWorker(faults: WorkerFaults, worker: number): WorkerFaults {
  return faults.filter((fault) => fault.kind !== 'future-lock' && fault.workers.includes(worker));
}

/** Whether any fault may SIGKILL this worker and asks for it to be restarted. */
export function restartsKilled(faults: WorkerFaults): boolean {
  return faults.some((fault) => 'restart' in fault && fault.restart);
}

export { busyWait, clockOffsetMs, FaultPlan } from './worker-fault-plan.js';
