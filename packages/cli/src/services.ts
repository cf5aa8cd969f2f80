import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NatsTransport, Random, Runtime, type Logger, type Transport } from '@tessera/process';
import { KvRegistryStore, Master, MasterContender, MemoryRegistryStore, type MasterOptions, type RegistryStore } from '@tessera/master';
import { MemoryLeaseStore, bucketName, connectKv, createBucket, findLeaseDetector, openLeaseStore, type LeaseStore } from '@tessera/leader';
import { Agent, DEFAULT_RECOVERY_TIMEOUT_MS, DEFAULT_RLIMIT_NOFILE, OsProcessHostLauncher, checkpointDirectory, checkpointedNode, type AgentOptions } from '@tessera/agent';
import { executorHostLauncher, type ExecutorPlacement } from './executor-placement.js';
import { localEndpoint, startAgentHttp, startMasterHttp, type ListeningServer } from '@tessera/http';

/**
 * Where a node connects: a NATS cluster (`heartbeatMs`: how often the node says it is alive;
 * those watching it allow three missed, default 1 s), or (local mode only) an in-memory transport.
 */
export type Network = { nats: string; cluster: string; heartbeatMs?: number } | { memory: (node: string) => Transport };

/** A running master or agent with the runtime it lives in. */
export interface Service<P> {
  process: P;
  runtime: Runtime;
  /** Its operator HTTP server, when it was asked for one. */
  http?: ListeningServer;
  stop(): Promise<void>;
}

/** Where a service's HTTP server listens (port 0: any free port). */
export interface HttpSettings {
  host: string;
  port: number;
}

/** The host others reach a server at: the bound host, or this machine's name when bound to every interface. */
export function advertisedHost(host: string, fallback: string = os.hostname()): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? fallback : host;
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
  const transport = 'memory' in network ? network.memory(node) : new NatsTransport({
    node, servers: network.nats.split(','), cluster: network.cluster, ...(network.heartbeatMs === undefined ? {} : { heartbeatMs: network.heartbeatMs }),
  });
  try {
    return await Runtime.create({ transport, logger, random: Random.fromEntropy() });
  } catch (err) {
    throw 'nats' in network ? new NatsUnreachableError(network.nats, err) : err;
  }
}

/** Where the masters' election and registry live. */
export type MasterStores =
  /** JetStream KV buckets of the NATS cluster: any number of masters, one leads. */
  | { kind: 'kv'; replicas?: number }
  /** Memory: one master, for local mode and tests (a restart forgets the registry). */
  | { kind: 'memory' }
  | { kind: 'given'; lease: LeaseStore; registry: RegistryStore };

export interface MasterServiceOptions extends MasterOptions {
  stores?: MasterStores;
  /** The election lease (ms, default 10 s). */
  leaseMs?: number;
  /** Resolve only once this master leads (default: with memory stores, where it is the only one). */
  awaitLeadership?: boolean;
  /** Serve the operator HTTP API and web UI here; the leader publishes the address in the lease. */
  http?: HttpSettings;
}

/** A `tessera master` process: a contender that runs the Master while it leads. */
export interface MasterService extends Service<Master> {
  contender: MasterContender;
}

export async function startMasterService(network: Network, logger: Logger, options: MasterServiceOptions = {}, node = MASTER_NODE): Promise<MasterService> {
  const { stores = { kind: 'memory' }, leaseMs, awaitLeadership = stores.kind === 'memory', http: httpSettings, ...masterOptions } = options;
  const runtime = await startRuntime(network, node, logger);
  let closeKv = async (): Promise<void> => undefined;
  let lease: LeaseStore;
  let registry: RegistryStore;
  if (stores.kind === 'kv') {
    if (!('nats' in network)) throw new Error('a registry in JetStream KV needs a NATS network');
    // The lease on a connection of its own: a new leader loading and rewriting the registry of
    // 10,000 agents queued its lease renewals behind those requests, and lost the lease.
    const connect = () => connectKv(network.nats).catch((err: unknown) => { throw new NatsUnreachableError(network.nats, err); });
    const leaseConnection = await connect();
    const registryConnection = await connect().catch(async (err: unknown) => { await leaseConnection.drain(); throw err; });
    closeKv = async () => { await Promise.all([leaseConnection.drain(), registryConnection.drain()]); };
    lease = await openLeaseStore(leaseConnection, network.cluster, stores.replicas, logger);
    registry = new KvRegistryStore(await createBucket(registryConnection, bucketName(network.cluster, 'registry'), stores.replicas, { logger }));
  } else if (stores.kind === 'given') {
    ({ lease, registry } = stores);
  } else {
    lease = new MemoryLeaseStore();
    registry = new MemoryRegistryStore();
  }
  // The server starts before the contender, so that the lease can carry its address; until the
  // contender exists it answers 503 (no master leads here yet).
  let contender: MasterContender | undefined;
  let http: ListeningServer | undefined;
  let httpAddress: string | undefined;
  if (httpSettings !== undefined) {
    try {
      http = await startMasterHttp({
        runtime, logger, host: httpSettings.host, port: httpSettings.port, ownHttp: () => httpAddress,
        source: { get master() { return contender?.master; }, get leader() { return contender?.leader; } },
      });
    } catch (err) {
      await runtime.stop();
      await closeKv();
      throw new Error(`cannot serve HTTP on ${httpSettings.host}:${httpSettings.port}: ${(err as Error).message}`);
    }
    httpAddress = `${advertisedHost(httpSettings.host)}:${http.port}`;
  }
  contender = new MasterContender({
    runtime, lease, registry, master: { hostname: os.hostname(), ...masterOptions }, hostname: os.hostname(),
    ...(leaseMs === undefined ? {} : { leaseMs }), ...(httpAddress === undefined ? {} : { http: httpAddress }),
  });
  const started = contender;
  const elected = new Promise<Master>((resolve) => started.onElected(resolve));
  started.start();
  if (awaitLeadership) await elected;
  logger.log('info', 'master started', { pid: `master@${node}`, leading: started.master !== undefined, ...(http === undefined ? {} : { http: http.url }) });
  return {
    contender: started,
    runtime,
    ...(http === undefined ? {} : { http }),
    get process(): Master {
      const master = started.master;
      if (master === undefined) throw new Error(`the master on ${node} is a standby: it does not lead now`);
      return master;
    },
    async stop() {
      await http?.close();
      await started.stop();
      await runtime.stop();
      await closeKv();
    },
  };
}

export interface AgentServiceOptions extends Omit<AgentOptions, 'hostLauncher' | 'nats' | 'port' | 'httpEndpoint'> {
  /** The node name (unique in the cluster); default `agent-<host>-<random>`. */
  node?: string;
  /**
   * Serve the agent's HTTP API here; the agent registers with this port (AgentInfo.port) and
   * gives its custom executors this server's address (MESOS_AGENT_ENDPOINT).
   */
  http?: HttpSettings;
  /** Where command executors run (default `resident`); see executor-placement.ts. */
  executors?: ExecutorPlacement;
}

export async function startAgentService(network: Network, logger: Logger, options: AgentServiceOptions): Promise<Service<Agent>> {
  // The node a previous run checkpointed: its executors look for the agent there.
  const node = options.node ?? checkpointedNode(options.workDir) ?? `agent-${os.hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${Random.fromEntropy().token(8)}`;
  // On NATS, executors outlive the agent: it checkpoints, and recovers them when restarted.
  const checkpointDir = options.checkpointDir ?? ('nats' in network ? checkpointDirectory(options.workDir, node) : undefined);
  const runtime = await startRuntime(network, node, logger);
  // Without a fixed master, follow the elected leader when the masters run an election.
  const kv = 'nats' in network && options.master === undefined && options.detector === undefined ? await connectKv(network.nats) : undefined;
  const detector = options.detector ?? (kv === undefined || !('nats' in network) ? undefined : await findLeaseDetector(kv, network.cluster, logger));
  const nofile = options.rlimitNofile ?? DEFAULT_RLIMIT_NOFILE;
  const { launcher: hostLauncher, close: closeExecutors } = executorHostLauncher({
    runtime, placement: options.executors ?? 'resident', nats: 'nats' in network ? { url: network.nats, cluster: network.cluster } : undefined,
    workDir: options.workDir, node, checkpointDir, nofile, recoveryTimeoutMs: options.recoveryTimeoutMs ?? DEFAULT_RECOVERY_TIMEOUT_MS,
  });
  const { node: _node, http: httpSettings, executors: _executors, ...agentOptions } = options;
  let agent: Agent | undefined;
  let http: ListeningServer | undefined;
  try {
    // Listening before the agent exists, so that it registers with the port it serves on.
    if (httpSettings !== undefined) {
      http = await startAgentHttp({ runtime, logger, host: httpSettings.host, port: httpSettings.port, agent: () => agent })
        .catch((err: Error) => { throw new Error(`cannot serve HTTP on ${httpSettings.host}:${httpSettings.port}: ${err.message}`); });
    }
    // Built before the host starts: a corrupt checkpoint stops everything here.
    agent = new Agent({
      // A service isolates with what the host has (the library's default is Mesos's posix one).
      isolation: 'auto',
      ...agentOptions,
      ...(http === undefined ? {} : { port: http.port, httpEndpoint: localEndpoint(http) }),
      hostLauncher,
      ...(checkpointDir === undefined ? {} : { checkpointDir }),
      ...(detector === undefined ? {} : { detector }),
      ...('nats' in network ? { nats: { url: network.nats, cluster: network.cluster } } : {}),
    });
    if (hostLauncher instanceof OsProcessHostLauncher) {
      mkdirSync(options.workDir, { recursive: true });
      hostLauncher.prestart(path.join(options.workDir, `executor-host-${node}.log`));
    }
  } catch (err) {
    await http?.close();
    detector?.stop();
    await kv?.close();
    await runtime.stop();
    throw err;
  }
  const spawned = runtime.spawn(agent);
  logger.log('info', 'agent started', { pid: spawned.pid, work_dir: options.workDir, leader: detector === undefined ? 'fixed' : 'elected', ...(http === undefined ? {} : { http: http.url }) });
  return {
    process: spawned,
    runtime,
    ...(http === undefined ? {} : { http }),
    async stop() {
      await http?.close();
      await spawned.stop({ shutdownExecutors: true });
      await hostLauncher.shutdown();
      closeExecutors();
      detector?.stop();
      await kv?.close();
      await runtime.stop();
    },
  };
}
