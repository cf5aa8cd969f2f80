import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NatsTransport, Random, Runtime, type Logger, type Transport } from '@tessera/process';
import { Master, type MasterOptions } from '@tessera/master';
import { Agent, InProcessHostLauncher, OsProcessHostLauncher, type AgentOptions } from '@tessera/agent';
import { EXECUTOR_HOST_MAIN, ExecutorHost } from '@tessera/executor-driver';

/** Where a node connects: a NATS cluster, or (local mode only) an in-memory transport. */
export type Network = { nats: string; cluster: string } | { memory: (node: string) => Transport };

/** A running master or agent with the runtime it lives in. */
export interface Service<P> {
  process: P;
  runtime: Runtime;
  stop(): Promise<void>;
}

/** The master's node name; the scheduler driver and agents address `master@master` by default. */
export const MASTER_NODE = 'master';

/** A clear one-line error for a NATS server that cannot be reached. */
export class NatsUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot connect to NATS at ${url}: ${(cause as Error).message ?? String(cause)}`);
  }
}

export async function startRuntime(network: Network, node: string, logger: Logger): Promise<Runtime> {
  const transport = 'memory' in network ? network.memory(node) : new NatsTransport({ node, servers: network.nats.split(','), cluster: network.cluster });
  try {
    return await Runtime.create({ transport, logger, random: Random.fromEntropy() });
  } catch (err) {
    throw 'nats' in network ? new NatsUnreachableError(network.nats, err) : err;
  }
}

export async function startMasterService(network: Network, logger: Logger, options: MasterOptions = {}, node = MASTER_NODE): Promise<Service<Master>> {
  const runtime = await startRuntime(network, node, logger);
  const master = runtime.spawn(new Master({ hostname: os.hostname(), ...options }));
  logger.log('info', 'master started', { pid: master.pid, master_id: master.masterId });
  return { process: master, runtime, stop: () => runtime.stop() };
}

export interface AgentServiceOptions extends Omit<AgentOptions, 'hostLauncher' | 'nats'> {
  /** The node name (unique in the cluster); default `agent-<host>-<random>`. */
  node?: string;
}

export async function startAgentService(network: Network, logger: Logger, options: AgentServiceOptions): Promise<Service<Agent>> {
  const node = options.node ?? `agent-${os.hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${Random.fromEntropy().token(8)}`;
  const runtime = await startRuntime(network, node, logger);
  const hostLauncher = 'memory' in network
    ? new InProcessHostLauncher(runtime, ({ onIdle }) => new ExecutorHost({ runtime, onIdle }))
    : new OsProcessHostLauncher({ runtime, entry: EXECUTOR_HOST_MAIN, nats: { url: network.nats, cluster: network.cluster }, shared: true });
  if (hostLauncher instanceof OsProcessHostLauncher) {
    mkdirSync(options.workDir, { recursive: true });
    hostLauncher.prestart(path.join(options.workDir, `executor-host-${node}.log`));
  }
  const { node: _node, ...agentOptions } = options;
  const agent = runtime.spawn(new Agent({
    ...agentOptions,
    hostLauncher,
    ...('nats' in network ? { nats: { url: network.nats, cluster: network.cluster } } : {}),
  }));
  logger.log('info', 'agent started', { pid: agent.pid, work_dir: options.workDir });
  return {
    process: agent,
    runtime,
    async stop() {
      await agent.stop({ shutdownExecutors: true });
      await hostLauncher.shutdown();
      await runtime.stop();
    },
  };
}
