import { InvalidArgumentError } from 'commander';
import { Resources } from '@tessera/protocol';

/** Parsers for flag values: each throws commander's InvalidArgumentError with a one-line reason. */

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive whole number`);
  return n;
}

export function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65_535) throw new InvalidArgumentError(`'${value}' is not a TCP port (1-65535)`);
  return n;
}

/** A TCP port to listen on, or 0 for any free one. */
export function listenPort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 0 || n > 65_535) throw new InvalidArgumentError(`'${value}' is not a TCP port (0-65535, 0 for any free port)`);
  return n;
}

/** A NATS URL list: `nats://host:port[,nats://host:port...]`. */
export function natsUrl(value: string): string {
  for (const part of value.split(',')) {
    let url: URL;
    try {
      url = new URL(part.trim());
    } catch {
      throw new InvalidArgumentError(`'${part}' is not a URL (expected nats://host:port)`);
    }
    if (!['nats:', 'tls:', 'ws:', 'wss:'].includes(url.protocol)) throw new InvalidArgumentError(`'${part}' is not a NATS URL (expected nats://host:port)`);
  }
  return value;
}

/** A resource spec in the Mesos flag syntax, checked now so that a typo is a flag error. */
export function resourceSpec(value: string): string {
  try {
    Resources.parse(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

/** A name that becomes a NATS subject token or a task id part. */
export function token(value: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new InvalidArgumentError(`'${value}' may hold only letters, digits, '_' and '-'`);
  return value;
}

/** A fraction from 0 to 1, e.g. `0.5`. */
export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`expected a fraction from 0 to 1, got '${value}'`);
  return n;
}

const BYTE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** A size as Mesos writes it (`2GB`, `512MB`, `100B`; units of 1024) or a plain number of bytes. */
export function byteSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?\s*$/i.exec(value);
  const bytes = match === null ? NaN : Math.floor(Number(match[1]) * BYTE_UNITS[(match[2] ?? 'B').toUpperCase()]!);
  if (!Number.isSafeInteger(bytes)) throw new InvalidArgumentError(`'${value}' is not a size (e.g. 2GB, 512MB, or a number of bytes)`);
  return bytes;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, secs: 1_000, mins: 60_000, hrs: 3_600_000, days: 86_400_000, weeks: 604_800_000 };

/** A positive duration as Mesos writes it (`1weeks`, `6hrs`, `30mins`, `10secs`, `500ms`) or a number of ms; in ms. */
export function duration(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|secs|mins|hrs|days|weeks)?\s*$/.exec(value);
  const ms = match === null ? NaN : Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']!;
  if (!Number.isFinite(ms) || ms <= 0) throw new InvalidArgumentError(`'${value}' is not a positive duration (e.g. 1weeks, 6hrs, 30mins, 10secs, 500ms, or a number of ms)`);
  return ms;
}

/** The `--heartbeat-ms` flag of the long-lived services (watchers allow three missed beats). */
export const HEARTBEAT_FLAG = ['--heartbeat-ms <ms>', 'how often this node tells NATS it is alive; those watching it allow three missed (default 1000)'] as const;
