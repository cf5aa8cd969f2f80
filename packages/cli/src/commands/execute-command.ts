import { Command } from 'commander';
import { stderrLogger, type LogLevel } from '@tessera/process';
import { runExecute, type ExecuteResult } from '../execute/run-execute.js';
import { natsUrl, positiveInt, resourceSpec, token } from '../flags.js';

/** `tessera execute`: like mesos-execute, K copies of a command as a framework. */
export function executeCommand(): Command {
  return new Command('execute')
    .description('run a command as a framework (like mesos-execute) and wait for it')
    .requiredOption('--master <url>', 'NATS URL(s) of the cluster, as `tessera local` prints it', natsUrl)
    .requiredOption('--command <cmd>', 'shell command to run')
    .option('--cluster <name>', 'Tessera cluster name (NATS subject namespace)', token, 'tessera')
    .option('--name <name>', 'task name (copies are <name>-<i>)', token, 'tessera-execute')
    .option('--instances <k>', 'number of copies', positiveInt, 1)
    .option('--resources <spec>', 'resources of each copy, Mesos flag syntax', resourceSpec, 'cpus:0.1;mem:32')
    .option('--role <role>', 'role to run in', '*')
    .option('--master-pid <pid>', 'the master\'s process id (default: the elected leader, else master@master)')
    .option('--log-level <level>', 'debug, info, warn or error', 'warn')
    .action(async (opts: { master: string; command: string; cluster: string; name: string; instances: number; resources: string; role: string; masterPid?: string; logLevel: LogLevel }) => {
      const result = await runExecute({
        network: { nats: opts.master, cluster: opts.cluster },
        ...(opts.masterPid === undefined ? {} : { master: opts.masterPid }), role: opts.role, name: opts.name, command: opts.command, instances: opts.instances, resources: opts.resources,
        logger: stderrLogger(opts.logLevel),
      });
      process.exit(printExecuteResult(result, opts.instances));
    });
}

/** Prints the outcome of a run and returns the exit code: 0 when every copy finished. */
export function printExecuteResult(result: ExecuteResult, instances: number): number {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (result.refused !== undefined) {
    out(`the master refused the framework: ${result.refused}`);
    return 1;
  }
  const rate = (result.finished / (result.elapsedMs / 1000)).toFixed(1);
  out(`${result.finished}/${instances} finished in ${(result.elapsedMs / 1000).toFixed(2)} s (${rate} tasks/s)`);
  for (const failure of result.failures) {
    out(`  ${failure.taskId}: ${failure.state}${failure.reason === undefined ? '' : ` ${failure.reason}`}${failure.message === undefined ? '' : `: ${failure.message}`}`);
  }
  return result.failures.length === 0 ? 0 : 1;
}
