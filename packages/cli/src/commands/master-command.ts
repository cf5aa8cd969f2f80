import { mkdirSync } from 'node:fs';
import { Command } from 'commander';
import os from 'node:os';
import v8 from 'node:v8';
import { Random, stderrLogger, type LogLevel } from '@tessera/process';
import { HEARTBEAT_FLAG, fraction, listenPort, natsUrl, positiveInt, token } from '../flags.js';
import { startMasterService } from '../services.js';
import { serveUntilSignalled } from './serve.js';

interface MasterCommandOptions {
  nats: string;
  cluster: string;
  httpPort: number;
  httpHost: string;
  workDir?: string;
  node?: string;
  lease: number;
  registryReplicas: number;
  agentPingTimeout: number;
  maxAgentPingTimeouts: number;
  allocationInterval: number;
  offerTimeout?: number;
  agentReregisterTimeout: number;
  recoveryAgentRemovalLimit: number;
  heapGrowthPercent: number;
  heartbeatMs?: number;
  logLevel: LogLevel;
}

/**
 * How far V8 lets the master's heap grow past what its last full GC left alive. Left to V8, it
 * grew to ~3x: at 10,000 agents and 100,000 tasks (issue 9) ~450 MiB were alive and the heap held
 * 1.4 GiB of mostly garbage from the messages of the fill. 50% trades more full GCs for memory.
 */
const DEFAULT_HEAP_GROWTH_PERCENT = 50;

export function masterCommand(): Command {
  return new Command('master')
    .description('run a master as a long-lived service on a NATS cluster with JetStream; start several, one leads')
    .requiredOption('--nats <url>', 'NATS server URL(s), comma separated', natsUrl)
    .option('--cluster <name>', 'Tessera cluster name (NATS subject namespace)', token, 'tessera')
    .option('--http-port <port>', 'port of the operator HTTP API and web UI (0: any free port)', listenPort, 5050)
    .option('--http-host <host>', 'address the HTTP server binds to', '0.0.0.0')
    .option('--work-dir <dir>', 'directory for the master\'s own files')
    .option('--agent-ping-timeout <ms>', 'interval between pings to each agent', positiveInt, 15_000)
    .option('--max-agent-ping-timeouts <n>', 'pings an agent may miss before it is unreachable', positiveInt, 5)
    .option('--allocation-interval <ms>', 'batch allocation interval', positiveInt, 1_000)
    .option('--offer-timeout <ms>', 'rescind offers not used within this time', positiveInt)
    .option('--node <name>', 'this master\'s node name, unique in the cluster (default: master-<host>-<random>)', token)
    .option('--lease <ms>', 'leader lease: a leader that cannot renew it this long steps down', positiveInt, 10_000)
    .option('--registry-replicas <n>', 'JetStream replicas of the lease and registry buckets (3 on a 3-server NATS cluster)', positiveInt, 1)
    .option('--agent-reregister-timeout <ms>', 'how long a new leader waits for the registry\'s agents to re-register', positiveInt, 600_000)
    .option('--recovery-agent-removal-limit <fraction>', 'largest fraction of agents one failover may mark unreachable', fraction, 1)
    .option('--heap-growth-percent <n>', 'how far the heap may grow past what the last full GC left alive, in percent', positiveInt, DEFAULT_HEAP_GROWTH_PERCENT)
    .option(...HEARTBEAT_FLAG, positiveInt)
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .action(async (opts: MasterCommandOptions) => {
      v8.setFlagsFromString(`--heap-growing-percent=${opts.heapGrowthPercent}`);
      const logger = stderrLogger(opts.logLevel);
      if (opts.workDir !== undefined) mkdirSync(opts.workDir, { recursive: true });
      const node = opts.node ?? `master-${os.hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${Random.fromEntropy().token(6)}`;
      const service = await startMasterService({ nats: opts.nats, cluster: opts.cluster, ...(opts.heartbeatMs === undefined ? {} : { heartbeatMs: opts.heartbeatMs }) }, logger, {
        stores: { kind: 'kv', replicas: opts.registryReplicas },
        leaseMs: opts.lease,
        agentPingTimeoutMs: opts.agentPingTimeout,
        maxAgentPingTimeouts: opts.maxAgentPingTimeouts,
        allocationIntervalMs: opts.allocationInterval,
        offerTimeoutMs: opts.offerTimeout,
        agentReregisterTimeoutMs: opts.agentReregisterTimeout,
        recoveryAgentRemovalLimit: opts.recoveryAgentRemovalLimit,
        http: { host: opts.httpHost, port: opts.httpPort },
      }, node);
      logger.log('info', 'master ready, contending for leadership', { nats: opts.nats, cluster: opts.cluster, pid: `master@${node}`, http: service.http?.url });
      await serveUntilSignalled(logger, () => service.stop());
    });
}
