import type { CommandInfo, HealthCheck } from '@tessera/protocol';

// A task's HealthCheck read once, with Mesos's defaults filled in and its mistakes named, so
// that the policy and the runners never see an unchecked field. No I/O here.

/** Mesos's HealthCheck defaults (include/mesos/v1/mesos.proto). */
export const HEALTH_CHECK_DEFAULTS = {
  delaySeconds: 15,
  intervalSeconds: 10,
  timeoutSeconds: 20,
  consecutiveFailures: 3,
  gracePeriodSeconds: 10,
} as const;

/** What one check probes. */
export type HealthCheckTarget =
  /** A command in the task's sandbox and environment: exit status 0 is healthy. */
  | { type: 'COMMAND'; command: CommandInfo }
  /** GET scheme://host:port/path: healthy on a status in `statuses`, or 200-399 without them. */
  | { type: 'HTTP'; scheme: 'http' | 'https'; host: string; port: number; path: string; statuses: number[] | undefined }
  /** A TCP connection that opens is healthy. */
  | { type: 'TCP'; host: string; port: number };

/** A checked HealthCheck: when to check, how long a check may take, when to give up on the task. */
export interface HealthCheckPlan {
  target: HealthCheckTarget;
  /** From the start of checking to the first check. */
  delayMs: number;
  /** From the end of a check to the next one (Mesos schedules the next check once a result is in). */
  intervalMs: number;
  /** How long one check may take before it counts as failed; 0 means no limit, as in Mesos. */
  timeoutMs: number;
  /** Counted failures in a row that kill the task (0 kills at the first counted failure, as Mesos's `>=`). */
  consecutiveFailures: number;
  /** Failures this soon after the start do not count, until the first success. */
  gracePeriodMs: number;
}

/** Mesos's checker probes the task on the loopback address of the protocol asked for. */
const LOOPBACK = { IPv4: '127.0.0.1', IPv6: '::1' } as const;

/**
 * Reads a task's HealthCheck as Mesos validates it (type set and known, the type's own field
 * present, a COMMAND with a value, an HTTP scheme of http or https and a path starting with '/',
 * durations non-negative) and fills in Mesos's defaults. Returns the reason instead when the check
 * cannot run. Ports must be 1-65535: nothing listens on port 0.
 */
export function planHealthCheck(check: HealthCheck): HealthCheckPlan | { error: string } {
  const target = readTarget(check);
  if ('error' in target) return target;
  const seconds: [string, number | undefined, number][] = [
    ['delay_seconds', check.delay_seconds, HEALTH_CHECK_DEFAULTS.delaySeconds],
    ['interval_seconds', check.interval_seconds, HEALTH_CHECK_DEFAULTS.intervalSeconds],
    ['timeout_seconds', check.timeout_seconds, HEALTH_CHECK_DEFAULTS.timeoutSeconds],
    ['grace_period_seconds', check.grace_period_seconds, HEALTH_CHECK_DEFAULTS.gracePeriodSeconds],
  ];
  const ms: number[] = [];
  for (const [name, value, fallback] of seconds) {
    const s = value ?? fallback;
    if (!(typeof s === 'number' && Number.isFinite(s) && s >= 0)) return { error: `health check '${name}' must be a non-negative number of seconds, got ${String(value)}` };
    ms.push(Math.round(s * 1_000));
  }
  const failures = check.consecutive_failures ?? HEALTH_CHECK_DEFAULTS.consecutiveFailures;
  if (!(Number.isSafeInteger(failures) && failures >= 0)) return { error: `health check 'consecutive_failures' must be a non-negative integer, got ${String(failures)}` };
  return { target, delayMs: ms[0]!, intervalMs: ms[1]!, timeoutMs: ms[2]!, gracePeriodMs: ms[3]!, consecutiveFailures: failures };
}

function readTarget(check: HealthCheck): HealthCheckTarget | { error: string } {
  switch (check.type) {
    case 'COMMAND': {
      const command = check.command;
      if (command === undefined) return { error: "a COMMAND health check needs 'command'" };
      if (command.value === undefined || command.value.trim() === '') {
        return { error: `a COMMAND health check needs ${(command.shell ?? true) ? 'a shell command' : 'an executable path'} in 'command.value'` };
      }
      return { type: 'COMMAND', command };
    }
    case 'HTTP': {
      const http = check.http;
      if (http === undefined) return { error: "an HTTP health check needs 'http'" };
      const scheme = http.scheme ?? 'http';
      if (scheme !== 'http' && scheme !== 'https') return { error: `unsupported HTTP health check scheme '${scheme}' (http or https)` };
      const path = http.path ?? '/';
      if (!path.startsWith('/')) return { error: `the path '${path}' of an HTTP health check must start with '/'` };
      const port = checkPort(http.port, 'http');
      if (typeof port !== 'number') return port;
      return { type: 'HTTP', scheme, host: LOOPBACK[http.protocol ?? 'IPv4'], port, path, statuses: http.statuses?.length ? [...http.statuses] : undefined };
    }
    case 'TCP': {
      const tcp = check.tcp;
      if (tcp === undefined) return { error: "a TCP health check needs 'tcp'" };
      const port = checkPort(tcp.port, 'tcp');
      if (typeof port !== 'number') return port;
      return { type: 'TCP', host: LOOPBACK[tcp.protocol ?? 'IPv4'], port };
    }
    case undefined: return { error: "a health check needs a 'type': COMMAND, HTTP or TCP" };
    default: return { error: `'${String(check.type)}' is not a health check type (COMMAND, HTTP or TCP)` };
  }
}

function checkPort(port: number, field: string): number | { error: string } {
  if (Number.isInteger(port) && port >= 1 && port <= 65_535) return port;
  return { error: `health check '${field}.port' must be a port between 1 and 65535, got ${String(port)}` };
}
