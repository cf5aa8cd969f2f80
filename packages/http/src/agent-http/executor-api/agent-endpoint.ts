import type { ListeningServer } from '../../common/http-app.js';

/**
 * `host:port` where processes on this machine reach a server (the agent's MESOS_AGENT_ENDPOINT):
 * loopback for a server bound to every interface, IPv6 addresses in brackets.
 */
export function localEndpoint(server: Pick<ListeningServer, 'host' | 'port'>): string {
  const wildcard = server.host === '' || server.host === '0.0.0.0' || server.host === '::';
  const host = wildcard ? '127.0.0.1' : server.host.includes(':') ? `[${server.host}]` : server.host;
  return `${host}:${server.port}`;
}
