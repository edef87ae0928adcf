import https from 'node:https';
import type { IncomingMessage, RequestListener } from 'node:http';
import { createServer as createNetServer, connect, type Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { TlsMaterial } from './tls-material.js';

/**
 * The endpoint's HTTPS face for real clients, which have their hosts compiled in and speak only
 * TLS. One server per container, each on its own loopback address (127.0.0.<10+N>), so the
 * ledger can tell containers apart by the address a request arrived on, with no help from a
 * client that sends no worker header. All of 127.0.0.0/8 is the loopback interface: nothing here
 * can be reached from another machine.
 *
 *   route 'hosts'  port 443; each container's /etc/hosts maps the client's hosts to its address.
 *   route 'proxy'  a random port, reached through a per-container CONNECT proxy on 127.0.0.1
 *                  (HTTPS_PROXY), for machines where /etc/hosts cannot be replaced.
 */
export type NetworkRoute = 'hosts' | 'proxy';

export interface HttpsFront {
  /** Loopback address container N's traffic must arrive on. */
  addressOf(worker: number): string;
  /** `http://127.0.0.1:<port>` of container N's CONNECT proxy ('proxy' route only). */
  proxyOf(worker: number): string | undefined;
  /** Maps a request back to its container, from the local address it arrived on. */
  workerOf(request: IncomingMessage): number | null;
  close(): Promise<void>;
}

// TODO(scope): per-container addresses are loopback (127.0.0.0/8), not 127.0.0.1 itself; the
// project rule means loopback-only, and this is what lets an uninstrumented client be attributed.
const FIRST_WORKER_OCTET = 10;

export function workerAddress(worker: number): string {
  return `127.0.0.${FIRST_WORKER_OCTET + worker}`;
}

export async function startHttpsFront(options: {
  listener: RequestListener;
  tls: TlsMaterial;
  workers: number;
  route: NetworkRoute;
  /** Hosts the proxy agrees to tunnel; anything else is refused and reported. */
  onRefusedConnect?: (worker: number, target: string) => void;
}): Promise<HttpsFront> {
  const contexts = new Map<string, SecureContext>();
  for (const [host, leaf] of options.tls.leaves) contexts.set(host, createSecureContext(leaf));
  const fallback = options.tls.leaves.values().next().value!;

  const servers: Array<https.Server | NetServer> = [];
  const proxies = new Map<number, string>();
  for (let worker = 1; worker <= options.workers; worker += 1) {
    const server = https.createServer(
      { ...fallback, SNICallback: (name, done) => done(null, contexts.get(name)) },
      options.listener,
    );
    server.keepAliveTimeout = 5_000;
    const port = await listen(server, options.route === 'hosts' ? 443 : 0, workerAddress(worker));
    servers.push(server);
    if (options.route === 'proxy') {
      const proxy = await startConnectProxy(worker, port, contexts, options.onRefusedConnect);
      servers.push(proxy.server);
      proxies.set(worker, proxy.url);
    }
  }

  return {
    addressOf: workerAddress,
    proxyOf: (worker) => proxies.get(worker),
    workerOf: (request) => {
      const octet = Number((request.socket.localAddress ?? '').split('.').at(-1));
      const worker = octet - FIRST_WORKER_OCTET;
      return worker >= 1 && worker <= options.workers ? worker : null;
    },
    close: async () => {
      await Promise.all(servers.map((server) => closeServer(server)));
    },
  };
}

/**
 * A CONNECT proxy (RFC 9110 §9.3.6) for one container: tunnels to that container's HTTPS server
 * whatever host:443 the client named, if the run has a certificate for it. It never opens a
 * connection anywhere else.
 */
async function startConnectProxy(
  worker: number,
  httpsPort: number,
  contexts: Map<string, SecureContext>,
  onRefused?: (worker: number, target: string) => void,
): Promise<{ server: NetServer; url: string }> {
  const server = createNetServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', (head) => {
      const line = head.toString('latin1').split('\r\n')[0] ?? '';
      const [method, target] = line.split(' ');
      const host = (target ?? '').split(':')[0] ?? '';
      if (method !== 'CONNECT' || !contexts.has(host)) {
        onRefused?.(worker, `${method ?? '?'} ${target ?? '?'}`);
        socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      const upstream = connect(httpsPort, workerAddress(worker), () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
    });
  });
  const port = await listen(server, 0, '127.0.0.1');
  return { server, url: `http://127.0.0.1:${port}` };
}

function listen(server: https.Server | NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: https.Server | NetServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
