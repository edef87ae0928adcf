/**
 * Every process of a run carries one marker in its environment, so anything left of a run can
 * be found by scanning /proc, whatever it was started as (a tinypool worker, `unshare`, a
 * client). Clients start from an empty environment, so the marker is passed to them explicitly.
 *
 * A caller that wants to find the run afterwards (a test, the cleanup bench) sets the marker
 * itself before starting the CLI; otherwise the run makes one from its id.
 */
export const RUN_MARKER_VARIABLE = 'TOKENRACE_RUN_MARKER';

/** The run's temp dir, told to worker processes so they can remove it if orphaned. */
export const SCRATCH_DIR_VARIABLE = 'TOKENRACE_SCRATCH_DIR';

/** The marker of the run in this process, set once at the start of a run. */
export function adoptRunMarker(runId: string): string {
  const given = process.env[RUN_MARKER_VARIABLE];
  const marker = given && given.length > 0 ? given : `tokenrace-run-${runId}`;
  process.env[RUN_MARKER_VARIABLE] = marker;
  return marker;
}

export function currentRunMarker(): string | undefined {
  return process.env[RUN_MARKER_VARIABLE];
}
