import type { LayoutName } from '../journal/events.js';
import type { SessionProfile } from './session.js';

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
  profile: SessionProfile;
}

export const SETTINGS_VARIABLE = 'TOKENRACE_SESSION';
