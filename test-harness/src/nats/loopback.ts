/**
 * Loopback sockets: free ports for servers to bind, and probes of a running server from outside
 * (its HTTP monitoring endpoints and its client port).
 *
 * Ports: the OS picks one for a socket bound to port 0; we read it and close the socket, leaving a
 * window in which another allocation could be handed the same number. Remembering every port
 * handed out in this process closes that window for allocations made here; a server that still
 * loses its port to another process is retried on new ports by its starter.
 *
 * Probes decide readiness, so each is bounded by a short timeout and says why it is not ready yet.
 */
import http from 'node:http';
import net from 'node:net';
import type { ProbeResult } from '../wait.js';

const handedOut = new Set<number>();
const MAX_ATTEMPTS = 100;

/** Bind 127.0.0.1:0, note the port the OS chose, and close the socket again. */
function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read the bound port'))));
    });
  });
}

/**
 * A free TCP port on 127.0.0.1, never one this process handed out before (even when calls race),
 * so two servers started side by side cannot be given the same port.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const port = await ephemeralPort();
    // Checked and claimed in one synchronous step, so a racing call sees the claim.
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`freePort: no fresh loopback port after ${MAX_ATTEMPTS} attempts`);
}

// --- probes ---

/** A monitoring endpoint's answer. */
export interface HttpReply {
  status: number;
  body: string;
}

/** GET a loopback URL with a timeout; a fresh connection each time (no keep-alive pool to leak). */
export function httpGet(url: string, timeoutMs = 1_000): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** GET a monitoring endpoint and parse its JSON body. */
export async function monitorJson(monitorPort: number, path: string): Promise<Record<string, unknown>> {
  const reply = await httpGet(`http://127.0.0.1:${monitorPort}${path}`);
  if (reply.status !== 200) throw new Error(`${path} answered ${reply.status}: ${reply.body.trim()}`);
  return JSON.parse(reply.body) as Record<string, unknown>;
}

/** Whether a TCP connection to 127.0.0.1:port is accepted (then closed at once). */
export function tcpAccepts(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** What a server must show before it counts as ready. */
export interface Readiness {
  port: number;
  monitorPort: number;
  jetstream: boolean;
  /** Routes to peers it must hold (size - 1 in a cluster, 0 alone). */
  routes: number;
}

/**
 * One readiness probe: healthz ok (JetStream enabled when asked), the cluster routes formed, a
 * JetStream meta leader known in a cluster (so JetStream calls work the moment start resolves),
 * and the client port accepting.
 */
export async function probeReady(want: Readiness): Promise<ProbeResult<void>> {
  const query = want.jetstream ? '?js-enabled-only=true' : '';
  const health = await httpGet(`http://127.0.0.1:${want.monitorPort}/healthz${query}`);
  if (health.status !== 200) return { ready: false, why: `healthz ${health.status} ${health.body.trim()}` };
  if (want.routes > 0) {
    const routez = await monitorJson(want.monitorPort, '/routez');
    const routes = Number(routez['num_routes'] ?? 0);
    if (routes < want.routes) return { ready: false, why: `routes ${routes}/${want.routes}` };
    if (want.jetstream) {
      const jsz = await monitorJson(want.monitorPort, '/jsz');
      const meta = jsz['meta_cluster'] as { leader?: string } | undefined;
      if (!meta?.leader) return { ready: false, why: 'no JetStream meta leader yet' };
    }
  }
  if (!(await tcpAccepts(want.port))) return { ready: false, why: `client port ${want.port} refuses` };
  return { ready: true, value: undefined };
}
