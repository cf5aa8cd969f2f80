/**
 * startNatsServer: one nats-server on loopback, in its own temp dir, tracked for cleanup.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, sweepAbandonedDirs, track } from './cleanup.js';
import { writeNatsConfig } from './config.js';
import { natsLaunchCommand, type LaunchCommand } from './launch.js';
import { freePort } from './loopback.js';
import { NatsServerProcess, NatsStartError, type LaunchSpec } from './server-process.js';
import type { NatsServer, NatsServerOptions } from './types.js';

/**
 * Another process can take a port between freePort() closing it and the server binding it; a few
 * fresh tries make that race harmless without hiding a real fault.
 */
export const PORT_RACE_ATTEMPTS = 3;

/**
 * Retry `attempt` on new ports while it fails only because a port was taken, up to
 * {@link PORT_RACE_ATTEMPTS} times. With fixed ports (`retry` false) the first error stands.
 */
export async function withPortRetry<T>(retry: boolean, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (err) {
      const portTaken = err instanceof NatsStartError && err.addressInUse;
      if (!retry || !portTaken || tries >= PORT_RACE_ATTEMPTS) throw err;
    }
  }
}

/**
 * Create, track and start a server from a prepared spec; on failure stop it again (which removes
 * its temp dir) and rethrow. Shared by the single-server and cluster factories.
 */
export async function launchTracked(spec: LaunchSpec, command: LaunchCommand): Promise<NatsServerProcess> {
  const server = new NatsServerProcess(spec, command);
  track(server);
  try {
    await server.start();
    return server;
  } catch (err) {
    await server.stop().catch(() => undefined);
    throw err;
  }
}

async function startOnce(options: NatsServerOptions, command: LaunchCommand): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const monitorPort = options.monitorPort ?? (await freePort());
  const name = options.name ?? `nats-${port}`;
  const tempDir = await makeTempDir();
  const jetstream = options.jetstream ?? false;
  let configFile: string;
  try {
    configFile = await writeNatsConfig(tempDir, {
      name,
      port,
      monitorPort,
      ...(jetstream ? { storeDir: options.storeDir ?? path.join(tempDir, 'store') } : {}),
      ...(options.logFile !== undefined ? { logFile: options.logFile } : {}),
    });
  } catch (err) {
    await rm(tempDir, { recursive: true, force: true });
    throw err;
  }
  return launchTracked(
    {
      name,
      port,
      monitorPort,
      configFile,
      tempDir,
      jetstream,
      routes: 0,
      ...(options.logFile !== undefined ? { logFile: options.logFile } : {}),
    },
    command,
  );
}

/**
 * Start a nats-server bound to 127.0.0.1 on free client and monitoring ports and resolve once it
 * is ready (healthz ok, JetStream enabled when asked, client port accepting), within 10 s.
 *
 * Rejects with a {@link NatsStartError} quoting the server's last output if it exits or is not
 * ready in time, or with an error saying how to install nats-server if it is missing. The server
 * is tracked: {@link stopAllNatsServers} and process exit stop it if the test does not.
 *
 * @example
 * const server = await startNatsServer({ jetstream: true });
 * const nc = await connect({ servers: server.url });
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const command = natsLaunchCommand();
  await sweepAbandonedDirs();
  const fixedPorts = options.port !== undefined || options.monitorPort !== undefined;
  return withPortRetry(!fixedPorts, () => startOnce(options, command));
}
