/**
 * startNatsCluster: N nats-servers on loopback, each with its own config and temp dir, every one
 * routed to all the others (the recipe measured in machine-facts.md).
 */
import path from 'node:path';
import { makeTempDir, sweepAbandonedDirs, track } from './cleanup.js';
import { writeNatsConfig } from './config.js';
import { natsLaunchCommand, type LaunchCommand } from './launch.js';
import { freePort } from './loopback.js';
import { NatsServerProcess } from './server-process.js';
import { withPortRetry } from './server.js';
import type { NatsCluster, NatsClusterOptions } from './types.js';

class LoopbackCluster implements NatsCluster {
  readonly urls: readonly string[];
  private stopping: Promise<void> | undefined;

  constructor(readonly servers: readonly NatsServerProcess[]) {
    this.urls = servers.map((s) => s.url);
  }

  stop(): Promise<void> {
    this.stopping ??= stopMembers(this.servers);
    return this.stopping;
  }
}

/** Stop every member in parallel; one failing does not keep the others running. */
async function stopMembers(servers: readonly NatsServerProcess[]): Promise<void> {
  const results = await Promise.allSettled(servers.map((s) => s.stop()));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} cluster member(s) did not stop cleanly`);
}

async function startOnce(size: number, jetstream: boolean, command: LaunchCommand): Promise<NatsCluster> {
  // All ports first: every member's config lists every member's route port.
  const ports: { port: number; monitorPort: number; routePort: number }[] = [];
  for (let i = 0; i < size; i += 1) {
    ports.push({ port: await freePort(), monitorPort: await freePort(), routePort: await freePort() });
  }
  const clusterName = `tessera-${ports[0]?.port ?? 0}`;
  const routePorts = ports.map((p) => p.routePort);
  const members: NatsServerProcess[] = [];
  try {
    for (const [index, member] of ports.entries()) {
      const name = `${clusterName}-n${index + 1}`;
      const tempDir = await makeTempDir();
      // Tracked before its config is written, so a failure below still removes the temp dir.
      const spec = { name, ...member, configFile: path.join(tempDir, 'nats.conf'), tempDir, jetstream, routes: size - 1 };
      const server = new NatsServerProcess(spec, command);
      track(server);
      members.push(server);
      await writeNatsConfig(tempDir, {
        name,
        ...member,
        ...(jetstream ? { storeDir: path.join(tempDir, 'store') } : {}),
        cluster: { name: clusterName, routePort: member.routePort, routePorts },
      });
    }
    // All at once (routes need peers), and fail fast: once one member cannot start, stopping the
    // rest aborts their readiness waits instead of letting them wait out the deadline.
    await Promise.all(members.map((m) => m.start()));
    return new LoopbackCluster(members);
  } catch (err) {
    await stopMembers(members).catch(() => undefined);
    throw err;
  }
}

/**
 * Start a cluster of `size` (default 3) nats-servers on 127.0.0.1, each with `server_name`,
 * client, monitoring and route listeners on free ports, JetStream (default on) capped at
 * 256 MB / 1 GB, and routes to every member. Resolves when every member's healthz is ok, every
 * member holds `size - 1` routes and, with JetStream, a meta leader is elected (about 0.5 s).
 *
 * Rejects with a {@link NatsStartError} from the first member that fails, after stopping the others.
 * Members are tracked like single servers: {@link stopAllNatsServers} stops them too.
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  if (!Number.isInteger(size) || size < 2) throw new RangeError(`startNatsCluster: size must be an integer >= 2, got ${size}`);
  const command = natsLaunchCommand();
  await sweepAbandonedDirs();
  return withPortRetry(true, () => startOnce(size, options.jetstream ?? true, command));
}
