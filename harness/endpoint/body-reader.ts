import type { IncomingMessage } from 'node:http';

/**
 * Reading a request body without trusting its sender. The endpoint is an HTTP server any local
 * process can talk to, so a body is read with a hard size limit, and a body past the limit is
 * never buffered: from the first byte over, chunks are dropped on the floor while the caller
 * answers 413 and closes the connection (issue 6).
 */
export type BodyRead =
  | { status: 'ok'; text: string }
  | { status: 'too_large'; declared: boolean }
  | { status: 'aborted' };

/**
 * Reads the whole body as UTF-8 if it stays within `limitBytes`. A `content-length` over the
 * limit is refused before a single byte is read; a chunked body is refused as soon as it
 * crosses the limit. A sender that goes away mid-body yields `aborted`.
 */
export function readLimitedBody(request: IncomingMessage, limitBytes: number): Promise<BodyRead> {
  if (declaredLength(request) > limitBytes) {
    discardRest(request);
    return Promise.resolve({ status: 'too_large', declared: true });
  }

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: BodyRead) => {
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      settle({ status: 'too_large', declared: false });
      discardRest(request);
    };
    const onEnd = () => settle({ status: 'ok', text: Buffer.concat(chunks).toString('utf8') });
    const onGone = () => {
      if (!request.complete) settle({ status: 'aborted' });
    };
    request.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

/**
 * Lets the rest of a refused body flow into nothing. Node closes the connection once the 413
 * (sent with `connection: close`) is written; reading on until then keeps the kernel from
 * resetting the connection under a client that is still sending, so the client sees the 413.
 */
export function discardRest(request: IncomingMessage): void {
  request.on('error', () => undefined);
  request.resume();
}

function declaredLength(request: IncomingMessage): number {
  const value = Number(request.headers['content-length'] ?? 0);
  return Number.isFinite(value) ? value : 0;
}
