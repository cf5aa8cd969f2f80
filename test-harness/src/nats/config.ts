/**
 * nats-server configuration files. A config file (rather than flags) is the one way to cap
 * JetStream's memory and storage, whose defaults (17 GB / 59 GB measured) would let a runaway test
 * fill the disk, and the one way to describe a cluster. Values are JSON-quoted, which the NATS
 * config syntax accepts.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Caps for test servers: generous for a test, small enough to stop a runaway one. */
export const JETSTREAM_MAX_MEMORY = '256MB';
export const JETSTREAM_MAX_FILE = '1GB';

/** Everything one server's config file says. */
export interface NatsConfigSpec {
  name: string;
  port: number;
  monitorPort: number;
  /** JetStream store dir; JetStream is off when absent. */
  storeDir?: string;
  cluster?: {
    name: string;
    routePort: number;
    /** Route ports of every member, this one included (nats-server ignores a route to itself). */
    routePorts: readonly number[];
  };
  logFile?: string;
}

const quote = (value: string): string => JSON.stringify(value);

/** The text of a config file; every listener is bound to 127.0.0.1 (the default is 0.0.0.0). */
export function renderNatsConfig(spec: NatsConfigSpec): string {
  const lines = [
    `server_name: ${quote(spec.name)}`,
    `listen: ${quote(`127.0.0.1:${spec.port}`)}`,
    `http: ${quote(`127.0.0.1:${spec.monitorPort}`)}`,
  ];
  if (spec.storeDir !== undefined) {
    lines.push(
      'jetstream {',
      `  store_dir: ${quote(spec.storeDir)}`,
      `  max_memory_store: ${JETSTREAM_MAX_MEMORY}`,
      `  max_file_store: ${JETSTREAM_MAX_FILE}`,
      '}',
    );
  }
  if (spec.cluster !== undefined) {
    const routes = spec.cluster.routePorts.map((p) => `    ${quote(`nats-route://127.0.0.1:${p}`)}`);
    lines.push(
      'cluster {',
      `  name: ${quote(spec.cluster.name)}`,
      `  listen: ${quote(`127.0.0.1:${spec.cluster.routePort}`)}`,
      '  routes: [',
      ...routes,
      '  ]',
      '}',
    );
  }
  if (spec.logFile !== undefined) lines.push(`log_file: ${quote(spec.logFile)}`);
  return `${lines.join('\n')}\n`;
}

/** Write `nats.conf` into `dir` and return its path. */
export async function writeNatsConfig(dir: string, spec: NatsConfigSpec): Promise<string> {
  const file = path.join(dir, 'nats.conf');
  await writeFile(file, renderNatsConfig(spec), 'utf8');
  return file;
}
