import { Command } from 'commander';
import { stderrLogger, type LogLevel } from '@tessera/process';
import { natsUrl, resourceSpec, token } from '../flags.js';
import { startAgentService } from '../services.js';
import { serveUntilSignalled } from './serve.js';

export function agentCommand(): Command {
  return new Command('agent')
    .description('run an agent as a long-lived service on a NATS cluster')
    .requiredOption('--nats <url>', 'NATS server URL(s), comma separated', natsUrl)
    .requiredOption('--work-dir <dir>', 'where sandboxes and the agent\'s files live')
    .option('--cluster <name>', 'Tessera cluster name (NATS subject namespace)', token, 'tessera')
    .option('--master <pid>', 'the master\'s process id', 'master@master')
    .option('--resources <spec>', 'resources in the Mesos flag syntax, e.g. "cpus:4;mem:8192;cpus(web):2"', resourceSpec)
    .option('--attributes <spec>', 'attributes, e.g. "rack:a;zone:1"')
    .option('--hostname <name>', 'host name reported to the master')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .action(async (opts: { nats: string; workDir: string; cluster: string; master: string; resources?: string; attributes?: string; hostname?: string; logLevel: LogLevel }) => {
      const logger = stderrLogger(opts.logLevel);
      const service = await startAgentService({ nats: opts.nats, cluster: opts.cluster }, logger, {
        master: opts.master,
        workDir: opts.workDir,
        ...(opts.resources === undefined ? {} : { resources: opts.resources }),
        ...(opts.attributes === undefined ? {} : { attributes: opts.attributes }),
        ...(opts.hostname === undefined ? {} : { hostname: opts.hostname }),
      });
      await serveUntilSignalled(logger, () => service.stop());
    });
}
