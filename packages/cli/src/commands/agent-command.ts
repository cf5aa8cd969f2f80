import os from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { stderrLogger, type LogLevel } from '@tessera/process';
import { DEFAULT_EXECUTOR_RECONNECT_TIMEOUT_MS, DEFAULT_EXECUTOR_REREGISTRATION_TIMEOUT_MS, DEFAULT_RECOVERY_TIMEOUT_MS } from '@tessera/agent';
import { HEARTBEAT_FLAG, listenPort, natsUrl, positiveInt, resourceSpec, token } from '../flags.js';
import { startAgentService } from '../services.js';
import { executorPlacement, type ExecutorPlacement } from '../executor-placement.js';
import { containerWatchAgentOptions, withContainerWatchFlags, type ContainerWatchFlags } from './container-watch-flags.js';
import { isolationAgentOptions, withIsolationFlags, type IsolationFlags } from './isolation-flags.js';
import { sandboxAgentOptions, withSandboxFlags, type SandboxFlags } from './sandbox-flags.js';
import { serveUntilSignalled } from './serve.js';

/** A positive whole number of milliseconds. */
function positiveMs(text: string): number {
  const ms = Number(text);
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new InvalidArgumentError(`expected a positive whole number of ms, got '${text}'`);
  return ms;
}

export function agentCommand(): Command {
  return withContainerWatchFlags(withIsolationFlags(withSandboxFlags(new Command('agent')
    .description('run an agent as a long-lived service on a NATS cluster')
    .requiredOption('--nats <url>', 'NATS server URL(s), comma separated', natsUrl)
    .requiredOption('--work-dir <dir>', 'where sandboxes and the agent\'s files live')
    .option('--cluster <name>', 'Tessera cluster name (NATS subject namespace)', token, 'tessera')
    .option('--master <pid>', 'a fixed master\'s process id (default: follow the elected leader when the masters run an election, else master@master)')
    .option('--resources <spec>', 'resources in the Mesos flag syntax, e.g. "cpus:4;mem:8192;cpus(web):2"', resourceSpec)
    .option('--attributes <spec>', 'attributes, e.g. "rack:a;zone:1"')
    .option('--hostname <name>', 'host name reported to the master (the web UI reaches this agent at http://<hostname>:<http-port>)', os.hostname())
    .option('--http-port <port>', 'port of the agent\'s HTTP API (0: any free port)', listenPort, 5051)
    .option('--http-host <host>', 'address the HTTP server binds to', '0.0.0.0')
    .option('--recovery-timeout <ms>', 'how long executors wait for a lost agent before killing their tasks (Mesos --recovery_timeout)', positiveMs, DEFAULT_RECOVERY_TIMEOUT_MS)
    .option('--executor-reregistration-timeout <ms>', 'how long a restarted agent waits for its executors to subscribe again', positiveMs, DEFAULT_EXECUTOR_REREGISTRATION_TIMEOUT_MS)
    .option('--executor-reconnect-timeout <ms>', 'how long an executor the network hid from the agent has to subscribe again before its tasks are killed', positiveMs, DEFAULT_EXECUTOR_RECONNECT_TIMEOUT_MS)
    .option('--executors <placement>', 'where command executors run: resident (in the agent, tasks under a spawner that outlives it) or host-process', executorPlacement, 'resident')
    .option(...HEARTBEAT_FLAG, positiveInt)
    .option('--log-level <level>', 'debug, info, warn or error', 'info'))))
    .action(async (opts: SandboxFlags & IsolationFlags & ContainerWatchFlags & {
      nats: string; workDir: string; cluster: string; master?: string; resources?: string; attributes?: string; hostname: string; httpPort: number; httpHost: string;
      recoveryTimeout: number; executorReregistrationTimeout: number; executorReconnectTimeout: number; executors: ExecutorPlacement; heartbeatMs?: number; logLevel: LogLevel;
    }) => {
      const logger = stderrLogger(opts.logLevel);
      const service = await startAgentService({ nats: opts.nats, cluster: opts.cluster, ...(opts.heartbeatMs === undefined ? {} : { heartbeatMs: opts.heartbeatMs }) }, logger, {
        ...(opts.master === undefined ? {} : { master: opts.master }),
        workDir: opts.workDir,
        recoveryTimeoutMs: opts.recoveryTimeout,
        executorReregistrationTimeoutMs: opts.executorReregistrationTimeout,
        executorReconnectTimeoutMs: opts.executorReconnectTimeout,
        executors: opts.executors,
        ...(opts.resources === undefined ? {} : { resources: opts.resources }),
        ...(opts.attributes === undefined ? {} : { attributes: opts.attributes }),
        hostname: opts.hostname,
        http: { host: opts.httpHost, port: opts.httpPort },
        ...sandboxAgentOptions(opts),
        ...isolationAgentOptions(opts),
        ...containerWatchAgentOptions(opts),
      });
      await serveUntilSignalled(logger, () => service.stop());
    });
}
