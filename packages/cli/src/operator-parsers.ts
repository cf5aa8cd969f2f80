import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { TASK_STATES, validateBody } from '@tessera/protocol';
import { updateMaintenanceSchedule, type MachineId, type MaintenanceSchedule, type ScalarQuantities } from './operator-client/calls.js';

/**
 * Parsers for the operator commands' arguments (flags.ts style): each throws commander's
 * InvalidArgumentError with a one-line reason, so bad input ends the command before anything is sent.
 */

/** The master's HTTP address: `http://host:port`, or `host:port` for short. */
export function masterUrl(value: string): string {
  const text = /^[a-z]+:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`'${value}' is not a URL (expected http://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`'${value}' is not an HTTP URL (expected http://host:port)`);
  return url.origin;
}

const ROLE = /^[A-Za-z0-9_][A-Za-z0-9_.\-]*(\/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*$/;

/** A role name as Mesos allows it (docs/roles.md): no '.', '..', leading '-', spaces or empty path parts. */
export function role(value: string): string {
  if (!ROLE.test(value) || value.split('/').some((part) => part === '.' || part === '..')) throw new InvalidArgumentError(`'${value}' is not a role name`);
  return value;
}

/** `cpus:4;mem:1024`: scalar resources by name, each a finite number ≥ 0, no name twice. */
export function scalarQuantities(value: string): ScalarQuantities {
  const quantities: ScalarQuantities = {};
  for (const part of value.split(';')) {
    if (part.trim() === '') continue;
    const match = /^\s*([a-z][a-z0-9_]*)\s*:\s*([^\s]+)\s*$/i.exec(part);
    const amount = Number(match?.[2]);
    if (match === null || !Number.isFinite(amount) || amount < 0) throw new InvalidArgumentError(`'${part}' is not name:amount (e.g. cpus:4;mem:1024)`);
    if (match[1]! in quantities) throw new InvalidArgumentError(`'${match[1]}' is given twice`);
    quantities[match[1]!] = { value: amount };
  }
  if (Object.keys(quantities).length === 0) throw new InvalidArgumentError(`'${value}' names no resource (e.g. cpus:4;mem:1024)`);
  return quantities;
}

/** `role=2,other=0.5`: weights by role, each a number > 0. */
export function weightList(value: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [name, amount, extra] = part.split('=');
    const weight = Number(amount);
    if (name === undefined || amount === undefined || extra !== undefined || amount.trim() === '' || !Number.isFinite(weight) || weight <= 0) {
      throw new InvalidArgumentError(`'${part}' is not role=weight with a weight above 0 (e.g. eng=2,ops=0.5)`);
    }
    weights[role(name.trim())] = weight;
  }
  return weights;
}

/** A duration in seconds, ≥ 0 (fractions allowed). */
export function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`'${value}' is not a number of seconds`);
  return n;
}

/** A count of lines, ≥ 0. */
export function lineCount(value: string): number {
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`'${value}' is not a whole number of lines`);
  return Number(value);
}

/** A task state by Mesos's name, with or without `TASK_`, any case: `running` is TASK_RUNNING. */
export function taskState(value: string): string {
  const name = value.trim().toUpperCase();
  const state = name.startsWith('TASK_') ? name : `TASK_${name}`;
  if (!(TASK_STATES as readonly string[]).includes(state)) throw new InvalidArgumentError(`'${value}' is not a task state (${TASK_STATES.map((s) => s.slice(5).toLowerCase()).join(', ')})`);
  return state;
}

/** A machine: `HOSTNAME`, `HOSTNAME/IP`, or `/IP` (Mesos's MachineID has either or both). */
export function machineId(value: string): MachineId {
  const [hostname, ip, extra] = value.split('/');
  if (extra !== undefined || (hostname === '' && (ip === undefined || ip === ''))) throw new InvalidArgumentError(`'${value}' is not HOSTNAME, HOSTNAME/IP or /IP`);
  if (hostname !== undefined && hostname !== '' && !/^[A-Za-z0-9.\-_]+$/.test(hostname)) throw new InvalidArgumentError(`'${hostname}' is not a hostname`);
  if (ip !== undefined && ip !== '' && !/^[0-9a-fA-F.:]+$/.test(ip)) throw new InvalidArgumentError(`'${ip}' is not an IP address`);
  return { ...(hostname === '' || hostname === undefined ? {} : { hostname }), ...(ip === undefined || ip === '' ? {} : { ip }) };
}

/** Commander's way of collecting a repeatable or variadic argument through a parser. */
export function each<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}

/** A file inside a task's sandbox: a relative path that does not climb out with `..`. */
export function sandboxPath(value: string): string {
  const parts = value.split('/');
  if (value.trim() === '' || value.startsWith('/') || parts.includes('..')) throw new InvalidArgumentError(`'${value}' is not a path inside the sandbox (relative, without '..')`);
  return parts.filter((p) => p !== '' && p !== '.').join('/');
}

/**
 * A maintenance schedule file (JSON, as Mesos's /maintenance/schedule takes it):
 * `{"windows": [{"machine_ids": [{"hostname": "h", "ip": "10.0.0.1"}], "unavailability": {"start": {"nanoseconds": N}, "duration": {"nanoseconds": N}}}]}`.
 * Read and checked here, so that a typo in the file sends nothing.
 */
export function scheduleFile(file: string): MaintenanceSchedule {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${file} is not JSON: ${(err as Error).message}`);
  }
  const problem = scheduleProblem(body);
  if (problem !== undefined) throw new InvalidArgumentError(`${file}: ${problem}`);
  // The friendly checks above name the usual mistakes; the protocol's schema catches the rest (unknown fields).
  const validation = validateBody('operator.Call', updateMaintenanceSchedule(body as MaintenanceSchedule));
  if (!validation.ok) throw new InvalidArgumentError(`${file}: ${validation.error.replace(/^invalid operator\.Call: /, '')}`);
  return body as MaintenanceSchedule;
}

/** What is wrong with a schedule, or undefined. */
export function scheduleProblem(body: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isNanos = (v: unknown) => isObject(v) && Number.isInteger(v.nanoseconds) && (v.nanoseconds as number) >= 0;
  if (!isObject(body) || !Array.isArray(body.windows)) return 'expected {"windows": [...]}';
  for (const [i, window] of body.windows.entries()) {
    if (!isObject(window) || !Array.isArray(window.machine_ids) || window.machine_ids.length === 0) return `windows[${i}] needs machine_ids, a non-empty list`;
    for (const [j, machine] of window.machine_ids.entries()) {
      const hasName = isObject(machine) && (typeof machine.hostname === 'string' || typeof machine.ip === 'string');
      if (!hasName) return `windows[${i}].machine_ids[${j}] needs a hostname or an ip`;
    }
    const unavailability = window.unavailability;
    if (!isObject(unavailability) || !isNanos(unavailability.start)) return `windows[${i}].unavailability.start needs {"nanoseconds": N}`;
    if (unavailability.duration !== undefined && !isNanos(unavailability.duration)) return `windows[${i}].unavailability.duration needs {"nanoseconds": N}`;
  }
  return undefined;
}
