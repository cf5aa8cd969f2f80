import http from 'node:http';
import https from 'node:https';
import type { HealthCheckTarget } from './health-plan.js';
import type { CheckRun } from './check-run.js';

type HttpTarget = Extract<HealthCheckTarget, { type: 'HTTP' }>;

/** True when an HTTP status makes the task healthy: one of `statuses`, else 200-399 (Mesos's range). */
export function healthyStatus(status: number, statuses: readonly number[] | undefined): boolean {
  return statuses === undefined ? status >= 200 && status < 400 : statuses.includes(status);
}

/**
 * An HTTP check: GET scheme://host:port/path on a fresh connection (no keep-alive, so a task's
 * server sees one short request per check). https does not verify the certificate, as Mesos's
 * checker (curl -k): the task's own certificate is not the agent's business. The body is drained
 * and dropped.
 */
export function httpCheck(target: HttpTarget): CheckRun {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const url = `${target.scheme}://${host}:${target.port}${target.path}`;
  const client = target.scheme === 'https' ? https : http;
  return (signal) => new Promise((resolve) => {
    let settled = false;
    const done = (healthy: boolean, message: string): void => {
      if (settled) return;
      settled = true;
      resolve({ healthy, message });
    };
    const request = client.request({
      host: target.host, port: target.port, path: target.path, method: 'GET', agent: false, signal,
      headers: { 'user-agent': 'tessera-health-check' }, ...(target.scheme === 'https' ? { rejectUnauthorized: false } : {}),
    }, (response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      const expected = target.statuses === undefined ? '200-399' : target.statuses.join(', ');
      done(healthyStatus(status, target.statuses), `GET ${url} answered ${status} (healthy: ${expected})`);
    });
    request.once('error', (err: NodeJS.ErrnoException) => done(false, `GET ${url} failed: ${err.code ?? err.message}`));
    request.end();
  });
}
