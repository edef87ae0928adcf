import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * The channel between the coordinator and the clients: a Unix socket in the run directory.
 * Each client connects, says hello, waits for `go` (so every container starts its workload at
 * the same moment, however long its process took to spawn), then streams its events as NDJSON
 * while the run goes on. The coordinator can say `stop` to end sessions early.
 *
 * A path socket rather than tinypool's task channel because events must flow while a task is
 * still running, and a path socket reaches a client inside a mount namespace unchanged.
 */
export type ClientMessage = { type: 'hello'; worker: number } | { type: 'event'; event: Record<string, unknown> };
export type CoordinatorMessage = { type: 'go'; deadlineEpochMs: number } | { type: 'stop' };

export interface EventChannelHandlers {
  onHello: (worker: number) => void;
  onEvent: (worker: number, event: Record<string, unknown>) => void;
}

export class EventChannel {
  readonly #server: Server;
  readonly #sockets = new Map<number, Socket>();
  readonly #handlers: EventChannelHandlers;
  /** Once stop is said, a client that connects late hears it at once instead of waiting for go. */
  #stopped = false;
  /** The `go` already given, for clients that (re)start after it: a restarted container. */
  #go: CoordinatorMessage | null = null;

  private constructor(server: Server, handlers: EventChannelHandlers) {
    this.#server = server;
    this.#handlers = handlers;
    server.on('connection', (socket) => this.#accept(socket));
  }

  static async listen(socketPath: string, handlers: EventChannelHandlers): Promise<EventChannel> {
    const server = createServer();
    const channel = new EventChannel(server, handlers);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, resolve);
    });
    return channel;
  }

  broadcast(message: CoordinatorMessage): void {
    if (message.type === 'stop') this.#stopped = true;
    if (message.type === 'go') this.#go = message;
    const line = JSON.stringify(message) + '\n';
    for (const socket of this.#sockets.values()) if (!socket.destroyed) socket.write(line);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets.values()) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    let worker: number | null = null;
    socket.on('error', () => socket.destroy());
    const lines = createInterface({ input: socket, crlfDelay: Infinity });
    // readline re-emits its input's errors (EPIPE, ECONNRESET when a client is killed): without
    // this listener a dying client would crash the coordinator with an unhandled 'error'.
    lines.on('error', () => socket.destroy());
    lines.on('line', (line) => {
      const message = parseMessage(line);
      if (!message) return;
      if (message.type === 'hello') {
        worker = message.worker;
        this.#sockets.set(worker, socket);
        this.#handlers.onHello(worker);
        if (this.#stopped) socket.write(JSON.stringify({ type: 'stop' }) + '\n');
        else if (this.#go) socket.write(JSON.stringify(this.#go) + '\n');
      } else if (worker !== null) {
        this.#handlers.onEvent(worker, message.event);
      }
    });
  }
}

function parseMessage(line: string): ClientMessage | null {
  try {
    const message = JSON.parse(line) as ClientMessage;
    return typeof message === 'object' && message !== null ? message : null;
  } catch {
    return null;
  }
}
