import type { LayoutName } from '../journal/events.js';
import type { WorkerFaults } from '../fleet/worker-faults.js';
import type { ClientKnobs } from './client-profile.js';

/** What the coordinator tells a built-in client process, in the TOKENRACE_SESSION variable. */
export interface ClientSettings {
  worker: number;
  layout: LayoutName;
  socketPath: string;
  endpointUrl: string;
  clockOriginEpochMs: number;
  mountPoints: string[];
  refreshMarginMs: number;
  apiIntervalMs: number;
  requestTimeoutMs: number;
  seed: number;
  profile: ClientKnobs;
  /** Tells this client apart from a different one in the same fleet. */
  clientLabel?: string;
  /** The worker faults that hit this container. */
  faults?: WorkerFaults;
  /** Where the client records which faults fired, so counts survive a restart. */
  faultStatePath?: string;
}

/** How many times this container's client was started before; set by the worker on restart. */
export const RESTART_VARIABLE = 'TOKENRACE_RESTART';

export const SETTINGS_VARIABLE = 'TOKENRACE_SESSION';
