import { NatsTransport, Random, Runtime, stderrLogger, type Logger } from '@tessera/process';
import { executorEnvironment } from './environment.js';
import { ExecutorDriver, type ExecutorCallbacks } from './executor-driver.js';

/** A custom executor at work. */
export interface RunningExecutor {
  runtime: Runtime;
  driver: ExecutorDriver;
  /** Resolves when the driver has stopped and the runtime with it (the OS process may then end). */
  done: Promise<void>;
}

/** Where runExecutor reads its settings, and how it logs. */
export interface RunExecutorOptions {
  /** Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Default: JSON lines on stderr. */
  logger?: Logger;
}

/**
 * Runs a custom executor in this OS process: reads the environment the agent set
 * (TESSERA_NATS_URL, TESSERA_AGENT, ...), joins NATS as node `executor-<random token>`, and spawns
 * an ExecutorDriver with `callbacks`, which subscribes to the agent. When the driver stops, the
 * runtime stops, so the process can end.
 */
export async function runExecutor(callbacks: ExecutorCallbacks, options: RunExecutorOptions = {}): Promise<RunningExecutor> {
  const env = executorEnvironment(options.env);
  const random = Random.fromEntropy();
  const runtime = await Runtime.create({
    transport: new NatsTransport({ node: `executor-${random.token(8)}`, servers: env.natsServers, cluster: env.cluster }),
    random,
    logger: options.logger ?? stderrLogger(),
  });
  const driver = runtime.spawn(new ExecutorDriver({ agent: env.agent, frameworkId: env.frameworkId, executorId: env.executorId, callbacks, ...(env.recoveryTimeoutMs === undefined ? {} : { recoveryTimeoutMs: env.recoveryTimeoutMs }) }));
  const done = runtime.wait(driver.pid).then(() => runtime.stop());
  return { runtime, driver, done };
}
