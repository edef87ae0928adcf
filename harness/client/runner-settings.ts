import type { LayoutName } from '../journal/events.js';

/** What the coordinator tells a container's command runner, in TOKENRACE_RUNNER. */
export interface RunnerSettings {
  worker: number;
  layout: LayoutName;
  socketPath: string;
  clockOriginEpochMs: number;
  /** The command, argv form: `[claude, -p, prompt]` or `[sh, -c, '<--client-cmd>']`. */
  argv: string[];
  /** `loop`: start it again after each exit until the deadline; `once`: start it once. */
  mode: 'loop' | 'once';
  /** How long past the deadline a command may run before it is killed and called hung. */
  hangGraceMs: number;
  /** Events a command may write on fd 3 before the rest are dropped (a flood guard). */
  maxEvents: number;
  /** Working directory of the command: where the user started tokenrace. */
  cwd: string;
}

export const RUNNER_VARIABLE = 'TOKENRACE_RUNNER';
