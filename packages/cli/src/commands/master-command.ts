import { mkdirSync } from 'node:fs';
import { Command } from 'commander';
import { stderrLogger, type LogLevel } from '@tessera/process';
import { natsUrl, positiveInt, port, token } from '../flags.js';
import { startMasterService } from '../services.js';
import { serveUntilSignalled } from './serve.js';

export function masterCommand(): Command {
  return new Command('master')
    .description('run a master as a long-lived service on a NATS cluster')
    .requiredOption('--nats <url>', 'NATS server URL(s), comma separated', natsUrl)
    .option('--cluster <name>', 'Tessera cluster name (NATS subject namespace)', token, 'tessera')
    .option('--http-port <port>', 'port of the operator HTTP API (served from issue 6 on)', port, 5050)
    .option('--work-dir <dir>', 'directory for the master\'s own files')
    .option('--agent-ping-timeout <ms>', 'interval between pings to each agent', positiveInt, 15_000)
    .option('--max-agent-ping-timeouts <n>', 'pings an agent may miss before it is unreachable', positiveInt, 5)
    .option('--allocation-interval <ms>', 'batch allocation interval', positiveInt, 1_000)
    .option('--offer-timeout <ms>', 'rescind offers not used within this time', positiveInt)
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .action(async (opts: { nats: string; cluster: string; httpPort: number; workDir?: string; agentPingTimeout: number; maxAgentPingTimeouts: number; allocationInterval: number; offerTimeout?: number; logLevel: LogLevel }) => {
      const logger = stderrLogger(opts.logLevel);
      if (opts.workDir !== undefined) mkdirSync(opts.workDir, { recursive: true });
      const service = await startMasterService({ nats: opts.nats, cluster: opts.cluster }, logger, {
        agentPingTimeoutMs: opts.agentPingTimeout,
        maxAgentPingTimeouts: opts.maxAgentPingTimeouts,
        allocationIntervalMs: opts.allocationInterval,
        offerTimeoutMs: opts.offerTimeout,
      });
      logger.log('info', 'master ready', { nats: opts.nats, cluster: opts.cluster, pid: service.process.pid });
      await serveUntilSignalled(logger, () => service.stop());
    });
}
