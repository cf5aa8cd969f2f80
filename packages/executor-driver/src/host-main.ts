import { NatsTransport, Runtime, stderrLogger } from '@tessera/process';
import { hostEnvironment } from './environment.js';
import { ExecutorHost } from './executor-host.js';
import { SpawnerLauncher } from './spawner-launcher.js';

// The executor host OS process: one per agent (and framework) runs many command executors.
// Environment: TESSERA_NATS_URL, TESSERA_CLUSTER, TESSERA_HOST_NODE, optionally
// TESSERA_HOST_IDLE_MS and TESSERA_SPAWNER_NOFILE. Logs one JSON object a line to stderr. Exits 0
// once idle, after a SHUTDOWN, or on SIGTERM / SIGINT after shutting its executors (and their
// tasks) down.

const logger = stderrLogger();

async function main(): Promise<void> {
  const env = hostEnvironment();
  const runtime = await Runtime.create({
    transport: new NatsTransport({ node: env.node, servers: env.natsServers, cluster: env.cluster }),
    logger,
  });
  // Tasks are forked by a small spawner child: forks from this (larger) process cost more.
  const launcher = new SpawnerLauncher(env.spawnerNofile === undefined ? {} : { nofile: env.spawnerNofile });
  launcher.prepare();
  let exiting = false;
  const exit = async (why: string): Promise<void> => {
    if (exiting) return;
    exiting = true;
    logger.log('info', `executor host exiting: ${why}`, { node: env.node });
    await host.shutdownAll();
    await runtime.stop();
    launcher.close();
    process.exit(0);
  };
  const host = runtime.spawn(new ExecutorHost({ runtime, launcher, idleMs: env.idleMs, onIdle: () => void exit('idle') }));
  process.on('SIGTERM', () => void exit('SIGTERM'));
  process.on('SIGINT', () => void exit('SIGINT'));
  logger.log('info', 'executor host ready', { pid: host.pid, node: env.node, servers: env.natsServers, cluster: env.cluster });
}

main().catch((err: unknown) => {
  logger.log('error', `executor host failed: ${(err as Error).message}`, { stack: (err as Error).stack });
  process.exit(1);
});
