import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { MemoryNetwork, stderrLogger, type LogLevel } from '@tessera/process';
import { findNatsServer, startNatsServer } from '@tessera/test-harness';
import { runExecute } from '../execute/run-execute.js';
import { listenPort, natsUrl, positiveInt, resourceSpec, token } from '../flags.js';
import { startAgentService, startMasterService, type Network, type Service } from '../services.js';
import { printExecuteResult } from './execute-command.js';
import { containerWatchAgentOptions, withContainerWatchFlags, type ContainerWatchFlags } from './container-watch-flags.js';
import { isolationAgentOptions, withIsolationFlags, type IsolationFlags } from './isolation-flags.js';
import { sandboxAgentOptions, withSandboxFlags, type SandboxFlags } from './sandbox-flags.js';
import { serveUntilSignalled } from './serve.js';

interface LocalOptions extends SandboxFlags, IsolationFlags, ContainerWatchFlags {
  agents: number;
  nats?: string;
  cluster: string;
  workDir?: string;
  resources?: string;
  execute?: string;
  instances: number;
  taskResources: string;
  httpPort: number;
  logLevel: LogLevel;
}

/** `tessera local`: a master and N agents in this process, like mesos-local. */
export function localCommand(): Command {
  return withContainerWatchFlags(withIsolationFlags(withSandboxFlags(new Command('local')
    .description('run a master and N agents in one process (with its own nats-server unless --nats is given)')
    .option('--agents <n>', 'number of agents', positiveInt, 1)
    .option('--nats <url>', 'use this NATS server instead of starting one', natsUrl)
    .option('--cluster <name>', 'Tessera cluster name (NATS subject namespace)', token, 'tessera')
    .option('--work-dir <dir>', 'where the agents keep sandboxes (default: a new temp dir)')
    .option('--resources <spec>', 'resources of each agent, Mesos flag syntax (default: detected)', resourceSpec)
    .option('--execute <command>', 'run this command as a workload (like tessera execute), then exit with its result')
    .option('--instances <k>', 'copies of the --execute command', positiveInt, 1)
    .option('--task-resources <spec>', 'resources of each --execute copy', resourceSpec, 'cpus:0.1;mem:32')
    .option('--http-port <port>', 'port of the master\'s HTTP API and web UI on 127.0.0.1 (0: any free port); agents take free ports', listenPort, 5050)
    .option('--log-level <level>', 'debug, info, warn or error', 'warn'))))
    .action(async (opts: LocalOptions) => {
      const logger = stderrLogger(opts.logLevel);
      const workDir = opts.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'tessera-local-'));
      const stops: (() => Promise<void>)[] = [];
      let network: Network;
      if (opts.nats !== undefined) network = { nats: opts.nats, cluster: opts.cluster };
      else if (findNatsServer() !== undefined) {
        const server = await startNatsServer();
        stops.push(() => server.stop());
        network = { nats: server.url, cluster: opts.cluster };
      } else {
        const memory = new MemoryNetwork();
        network = { memory: (node) => memory.transport(node) };
        process.stdout.write('nats-server is not installed: running on an in-memory network (frameworks must run in this process)\n');
      }
      // Everything on 127.0.0.1: a browser on this machine reaches the master and, for sandboxes, each agent.
      const master = await startMasterService(network, logger, { allocationIntervalMs: 100, http: { host: '127.0.0.1', port: opts.httpPort } });
      const services: Service<unknown>[] = [master];
      for (let i = 1; i <= opts.agents; i++) {
        services.push(await startAgentService(network, logger, {
          node: `agent-${i}`, workDir, hostname: '127.0.0.1', http: { host: '127.0.0.1', port: 0 },
          ...(opts.resources === undefined ? {} : { resources: opts.resources }),
          ...sandboxAgentOptions(opts),
          ...isolationAgentOptions(opts),
          ...containerWatchAgentOptions(opts),
        }));
      }
      const stopAll = async () => {
        for (const service of services.reverse()) await service.stop();
        for (const stop of stops.reverse()) await stop();
      };
      const where = 'nats' in network ? `--master ${network.nats} --cluster ${network.cluster}` : '(in memory)';
      process.stdout.write(`tessera local: a master and ${opts.agents} agent(s); sandboxes under ${workDir}\nweb UI: ${master.http!.url}/\nframeworks connect with: tessera execute ${where} --command CMD\n`);
      if (opts.execute === undefined) return serveUntilSignalled(logger, stopAll);
      const result = await runExecute({
        network, master: 'master@master', role: '*', name: 'local', command: opts.execute, instances: opts.instances, resources: opts.taskResources, logger,
      });
      const code = printExecuteResult(result, opts.instances);
      process.stdout.write(`task output is in the sandboxes under ${workDir}/agents/*/frameworks/${result.frameworkId}/executors/*/runs/latest/stdout\n`);
      await stopAll();
      process.exit(code);
    });
}
