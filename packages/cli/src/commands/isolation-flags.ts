import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_CGROUPS_ROOT, DEFAULT_PIDS_LIMIT, parseIsolation, type AgentOptions } from '@tessera/agent';
import { positiveInt } from '../flags.js';

/** The containerizer's flags, as commander gives them. */
export interface IsolationFlags {
  isolation?: string;
  launcher?: 'linux' | 'posix';
  cgroupsRoot: string;
  cgroupsPidsLimit: number;
  cgroupsEnableCfs: boolean;
}

/** An --isolation list, checked now so that an unknown isolator is a flag error. */
function isolationList(text: string): string {
  try {
    return parseIsolation(text).join(',');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Adds the isolation flags (Mesos's names where Mesos has the flag) to an agent-running command. */
export function withIsolationFlags(command: Command): Command {
  return command
    .option('--isolation <list>', 'isolators, comma separated, as Mesos\'s --isolation: cgroups/cpu, cgroups/mem, cgroups/pids, posix/cpu, posix/mem, '
      + 'posix/rlimits, namespaces/pid, filesystem/linux, disk/du, network/ports (default: the cgroups ones the host has, posix ones for the rest, and posix/rlimits)', isolationList)
    .addOption(new Option('--launcher <kind>', 'how containers are destroyed: linux (the freezer cgroup) or posix (process groups); default linux where the host has a writable freezer')
      .choices(['linux', 'posix']))
    .option('--cgroups-root <path>', 'container cgroups live under <hierarchy>/<the agent\'s own cgroup>/<path>', DEFAULT_CGROUPS_ROOT)
    .option('--cgroups-pids-limit <n>', 'pids.max of each container (cgroups/pids; Mesos has no such limit)', positiveInt, DEFAULT_PIDS_LIMIT)
    .option('--cgroups-enable-cfs', 'cgroups/cpu caps each container at its cpus with a CFS quota, besides cpu.shares (off by default, as Mesos\'s: '
      + 'a small share throttles short tasks for up to a period of 100 ms)');
}

/** The agent options of those flags. */
export function isolationAgentOptions(flags: IsolationFlags): Partial<AgentOptions> {
  return {
    isolation: flags.isolation ?? 'auto',
    ...(flags.launcher === undefined ? {} : { launcher: flags.launcher }),
    cgroupsRoot: flags.cgroupsRoot,
    cgroupsPidsLimit: flags.cgroupsPidsLimit,
    cgroupsEnableCfs: flags.cgroupsEnableCfs ?? false,
  };
}
