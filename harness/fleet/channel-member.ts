import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { RunClock } from '../journal/clock.js';
import type { ClientMessage, CoordinatorMessage } from './event-channel.js';

/**
 * The container's end of the event channel (event-channel.ts is the coordinator's): connect,
 * say hello, hear `go` and `stop`, send events stamped with the run clock, the layout and the
 * worker. Both the built-in client and the command runner join through here, so the handshake
 * lives in one place.
 */
export interface ChannelMember {
  /** Resolves with the coordinator's deadline when it says `go`. */
  go: Promise<number>;
  emit: (event: Record<string, unknown>) => void;
  /** Resolves once everything written so far is handed to the kernel (before a self-kill). */
  flush: () => Promise<void>;
  end: () => Promise<void>;
}

export interface JoinOptions {
  socketPath: string;
  worker: number;
  layout: string;
  clock: RunClock;
  /** The coordinator said `stop`; `started` tells whether `go` had come first. */
  onStop: (started: boolean) => void;
  /** The coordinator went away: nobody is listening any more. */
  onClose: () => void;
}

export async function joinEventChannel(options: JoinOptions): Promise<ChannelMember> {
  const { worker, layout, clock } = options;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const connection = connect(options.socketPath, () => resolve(connection));
    connection.once('error', reject);
  });
  // Once connected, an error (a reset from a coordinator that is going away) is followed by
  // 'close', which onClose handles; it is not a crash.
  socket.on('error', () => undefined);
  socket.on('close', options.onClose);

  const send = (message: ClientMessage) => {
    if (!socket.destroyed) socket.write(JSON.stringify(message) + '\n');
  };
  let started = false;
  const go = new Promise<number>((resolve) => {
    const lines = createInterface({ input: socket, crlfDelay: Infinity });
    // readline re-emits the socket's errors; the socket's 'close' decides what happens next.
    lines.on('error', () => undefined);
    lines.on('line', (line) => {
      const message = JSON.parse(line) as CoordinatorMessage;
      if (message.type === 'go') {
        started = true;
        resolve(message.deadlineEpochMs);
      }
      if (message.type === 'stop') options.onStop(started);
    });
  });
  send({ type: 'hello', worker });

  return {
    go,
    emit: (event) => send({ type: 'event', event: { t: clock.now(), layout, worker, ...event } }),
    flush: () => new Promise<void>((resolve) => socket.write('', () => resolve())),
    end: () => new Promise<void>((resolve) => socket.end(resolve)),
  };
}
