import { connect, type Socket } from 'node:net';
import type { HostileRequest } from './hostile-requests.js';

/**
 * Sends one hostile request over its own TCP connection, byte for byte, and reads the answer.
 * A raw socket rather than an HTTP client because clients refuse to send most of what the
 * fuzzer wants to send (broken headers, lying content-lengths, bodies that never end).
 */
export interface Answer {
  /** 0 when no status line came back. */
  status: number;
  /** The OAuth `error` field of a JSON body, if any. */
  error?: string;
  /** What went wrong on the wire when nothing came back. */
  transport?: string;
  /** The pair a successful refresh or login returned, so the sender can present it next. */
  issued?: { refresh: string; access: string };
}

/** What the placeholders stand for when a request is sent. */
export interface Tokens {
  refresh: string;
  access: string;
  previousAccess: string;
}

/** Fills `__RT__`, `__PAT__` and `__AT__` with the tokens they stand for. */
export function fillPlaceholders(text: string, tokens: Tokens): string {
  return text
    .replaceAll('__RT__', tokens.refresh)
    .replaceAll('__PAT__', tokens.previousAccess)
    .replaceAll('__AT__', tokens.access);
}

const ANSWER_TIMEOUT_MS = 10_000;
const CHUNK = Buffer.alloc(16 * 1024, 0x61);

/** `id` goes in the worker header so the ledger entry for this request can be found. */
export function sendHostile(url: URL, request: HostileRequest, id: number, tokens: Tokens): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (answer: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(parseAnswer(received, 'timeout')), ANSWER_TIMEOUT_MS);

    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parseComplete(received);
      if (answer) finish(answer);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(parseAnswer(received, error.code ?? 'error')));
    socket.on('close', () => finish(parseAnswer(received, 'closed')));
    socket.on('connect', () => writeRequest(socket, request, id, tokens, () => done));
  });
}

function writeRequest(socket: Socket, request: HostileRequest, id: number, tokens: Tokens, isDone: () => boolean): void {
  if (request.raw !== undefined) {
    socket.write(request.raw);
    return;
  }
  const fill = (text: string) => fillPlaceholders(text, tokens);
  const lines = [`${request.method} ${request.path} HTTP/1.1`, 'host: 127.0.0.1', `x-tokenrace-worker: ${id}`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${fill(value)}`);
  const { body } = request;

  if (body.kind === 'chunked') {
    socket.write([...lines, 'transfer-encoding: chunked', '', ''].join('\r\n'));
    streamChunks(socket, body.totalBytes, isDone);
    return;
  }
  if (body.kind === 'declared') {
    socket.write([...lines, `content-length: ${body.declaredBytes}`, '', 'only a few bytes'].join('\r\n'));
    return;
  }
  const text = Buffer.from(body.kind === 'text' ? fill(body.text) : '');
  socket.write([...lines, `content-length: ${text.length}`, 'connection: close', '', ''].join('\r\n'));
  socket.write(text);
}

/** Writes chunks, respecting backpressure, until the total is sent or the server has answered. */
function streamChunks(socket: Socket, totalBytes: number, isDone: () => boolean): void {
  let sent = 0;
  const pump = () => {
    while (sent < totalBytes && !isDone() && !socket.destroyed) {
      const size = Math.min(CHUNK.length, totalBytes - sent);
      sent += size;
      const ok = socket.write(`${size.toString(16)}\r\n`) && socket.write(CHUNK.subarray(0, size)) && socket.write('\r\n');
      if (!ok) {
        socket.once('drain', pump);
        return;
      }
    }
    if (sent >= totalBytes && !socket.destroyed) socket.write('0\r\n\r\n');
  };
  pump();
}

/** An answer once its head and its whole content-length body are in. */
function parseComplete(received: Buffer): Answer | null {
  const headEnd = received.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const head = received.subarray(0, headEnd).toString('latin1');
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
  if (received.length < headEnd + 4 + length) return null;
  return parseAnswer(received, undefined);
}

function parseAnswer(received: Buffer, transport: string | undefined): Answer {
  const text = received.toString('utf8');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  if (status === 0) return { status, transport: transport ?? 'no status line' };

  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  try {
    const parsed = JSON.parse(body) as { error?: unknown; refresh_token?: unknown; access_token?: unknown };
    const { error, refresh_token: refresh, access_token: access } = parsed;
    const issued = typeof refresh === 'string' && typeof access === 'string' ? { issued: { refresh, access } } : {};
    return { status, ...(typeof error === 'string' ? { error } : {}), ...issued };
  } catch {
    return { status };
  }
}
