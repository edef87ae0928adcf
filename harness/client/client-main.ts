/**
 * Entry point of one container's built-in client process. The worker starts it (inside a mount
 * namespace under `namespace` isolation) with the session's settings in TOKENRACE_SESSION and
 * the container's view of the world in HOME / CLAUDE_CONFIG_DIR, exactly as a real client would
 * find them.
 *
 * It never prints to stdout; events go to the coordinator over the event channel.
 */
// Start-up is paid once per container: import only what a client needs. In particular nothing
// here may load zod or the endpoint (routes.ts, filesystem-type.ts and worker-fault-plan.ts exist
// for that), which once made up a fifth of a client's boot.
import { createRunClock } from '../journal/clock.js';
import { filesystemType } from '../layout/filesystem-type.js';
import { configDirFor } from '../layout/layouts.js';
import { joinEventChannel } from '../fleet/channel-member.js';
import { clockOffsetMs, FaultPlan } from '../fleet/worker-fault-plan.js';
import { lockPathsFor } from './lock-set.js';
import { RESTART_VARIABLE, SETTINGS_VARIABLE, type ClientSettings } from './client-settings.js';
import { runSession, type SessionEvent } from './session.js';


async function main(): Promise<void> {
  const settings = JSON.parse(process.env[SETTINGS_VARIABLE] ?? '') as ClientSettings;
  const restart = Number(process.env[RESTART_VARIABLE] ?? 0);
  const faults = settings.faults ?? [];
  const offsetMs = clockOffsetMs(faults);
  if (offsetMs !== 0) shiftDateNow(offsetMs);
  const clock = createRunClock(settings.clockOriginEpochMs);
  const stop = new AbortController();
  const channel = await joinEventChannel({
    ...settings,
    clock,
    onStop: (started) => {
      stop.abort();
      // Stopped before the start signal: there is no session to wind down.
      if (!started) process.exit(0);
    },
    // The coordinator went away: nobody is listening, so the session has no reason to go on.
    onClose: () => process.exit(0),
  });
  const emit = (event: SessionEvent) => channel.emit(event);

  // The worker holds our stdin open; when it dies, stdin ends and so does this session.
  process.stdin.on('end', () => {
    emit({ type: 'session_end', reason: 'parent_gone' });
    void channel.end().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 200).unref();
  });
  process.stdin.resume();

  const deadlineEpochMs = await channel.go;
  const env = { HOME: process.env.HOME ?? '', CLAUDE_CONFIG_DIR: process.env.CLAUDE_CONFIG_DIR };
  const configDir = configDirFor(env);
  const lockPaths = await lockPathsFor(settings.profile, configDir, settings.mountPoints);
  emit({
    type: 'session_start',
    pid: process.pid,
    configDir,
    lockPath: lockPaths.join(' '),
    home: env.HOME,
    client: settings.clientLabel ?? settings.profile.profile,
    restart,
    ...(offsetMs !== 0 ? { clockOffsetMs: offsetMs } : {}),
    storeFs: await filesystemType(configDir),
    homeFs: await filesystemType(env.HOME),
  });

  const reason = await runSession({
    ...settings,
    configDir,
    home: env.HOME,
    // The coordinator's deadline, read on this container's (possibly offset) clock.
    deadlineEpochMs: deadlineEpochMs + offsetMs,
    emit,
    signal: stop.signal,
    faults: new FaultPlan(faults, settings.faultStatePath ?? null),
    flush: channel.flush,
    stampLockMtime: offsetMs !== 0,
  });
  emit({ type: 'session_end', reason });
  await channel.end();
  process.exit(0);
}

/**
 * A container whose clock is off: every `Date.now()` in this process (ours, proper-lockfile's
 * stale checks and the mtimes it writes) reads `offsetMs` away from the host's. The run clock
 * uses `performance`, so journal times stay true.
 */
function shiftDateNow(offsetMs: number): void {
  const trueNow = Date.now.bind(Date);
  Date.now = () => trueNow() + offsetMs;
}

main().catch((error: unknown) => {
  process.stderr.write(`client: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(70);
});
