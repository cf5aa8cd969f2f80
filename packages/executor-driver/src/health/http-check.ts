import http from 'node:http';
import https from 'node:https';
import type { HealthCheckTarget } from './health-plan.js';
import type { CheckRun } from './check-run.js';

type HttpTarget = Extract<HealthCheckTarget, { type: 'HTTP' }>;

/** Redirects followed before a check gives up (Mesos's curl -L follows them; this bounds a loop). */
export const MAX_HEALTH_CHECK_REDIRECTS = 10;

/** True when an HTTP status makes the task healthy: one of `statuses`, else 200-399 (Mesos's range). */
export function healthyStatus(status: number, statuses: readonly number[] | undefined): boolean {
  return statuses === undefined ? status >= 200 && status < 400 : statuses.includes(status);
}

/**
 * An HTTP check: GET scheme://host:port/path on a fresh connection (no keep-alive, so a task's
 * server sees one short request per check), following redirects as Mesos's checker (curl -L)
 * does, judged on the last status. https does not verify the certificate, as Mesos's checker
 * (curl -k): the task's own certificate is not the agent's business. Bodies are drained and dropped.
 */
export function httpCheck(target: HttpTarget): CheckRun {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const first = new URL(`${target.scheme}://${host}:${target.port}${target.path}`);
  const expected = target.statuses === undefined ? '200-399' : target.statuses.join(', ');
  return (signal) => new Promise((resolve) => {
    let settled = false;
    const done = (healthy: boolean, message: string): void => {
      if (settled) return;
      settled = true;
      resolve({ healthy, message });
    };
    const get = (url: URL, redirects: number): void => {
      const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
      if (client === undefined) return done(false, `GET ${first} was redirected to ${url}, which is not http or https`);
      const request = client.request(url, {
        method: 'GET', agent: false, signal, headers: { 'user-agent': 'tessera-health-check' }, rejectUnauthorized: false,
      }, (response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        const location = response.headers.location;
        if (status >= 300 && status < 400 && location !== undefined) {
          if (redirects >= MAX_HEALTH_CHECK_REDIRECTS) return done(false, `GET ${first} was redirected more than ${MAX_HEALTH_CHECK_REDIRECTS} times`);
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            return done(false, `GET ${url} answered ${status} with a Location that is not a URL: '${location}'`);
          }
          return get(next, redirects + 1);
        }
        const via = url.href === first.href ? '' : ` (redirected to ${url})`;
        done(healthyStatus(status, target.statuses), `GET ${first} answered ${status}${via} (healthy: ${expected})`);
      });
      request.once('error', (err: NodeJS.ErrnoException) => done(false, `GET ${url} failed: ${err.code ?? err.message}`));
      request.end();
    };
    get(first, 0);
  });
}
