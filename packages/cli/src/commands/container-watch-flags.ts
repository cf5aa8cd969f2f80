import { Option, type Command } from 'commander';
import { DEFAULT_CONTAINER_DISK_WATCH_INTERVAL_MS, DEFAULT_CONTAINER_PORTS_WATCH_INTERVAL_MS, type AgentOptions } from '@tessera/agent';
import { duration } from '../flags.js';

/** The disk/du and network/ports flags, as commander gives them. */
export interface ContainerWatchFlags {
  enforceContainerDiskQuota: boolean;
  containerDiskWatchInterval: number;
  enforceContainerPorts: boolean;
  containerPortsWatchInterval: number;
}

/** Adds the disk/du and network/ports flags (Mesos's names and defaults) to an agent-running command. */
export function withContainerWatchFlags(command: Command): Command {
  return command
    .option('--enforce-container-disk-quota', 'disk/du kills a container whose sandbox outgrows its disk resource (Mesos --enforce_container_disk_quota; default: reported only)', false)
    .addOption(new Option('--container-disk-watch-interval <duration>', 'how often disk/du measures each sandbox (Mesos --container_disk_watch_interval)')
      .argParser(duration).default(DEFAULT_CONTAINER_DISK_WATCH_INTERVAL_MS, '15secs'))
    .option('--enforce-container-ports', 'network/ports kills a container listening on a TCP port outside its ports resource (Mesos --enforce_container_ports; default: reported only)', false)
    .addOption(new Option('--container-ports-watch-interval <duration>', 'how often network/ports checks the ports containers listen on (Mesos --container_ports_watch_interval)')
      .argParser(duration).default(DEFAULT_CONTAINER_PORTS_WATCH_INTERVAL_MS, '30secs'));
}

/** The agent options of those flags. */
export function containerWatchAgentOptions(flags: ContainerWatchFlags): Partial<AgentOptions> {
  return {
    enforceContainerDiskQuota: flags.enforceContainerDiskQuota,
    containerDiskWatchIntervalMs: flags.containerDiskWatchInterval,
    enforceContainerPorts: flags.enforceContainerPorts,
    containerPortsWatchIntervalMs: flags.containerPortsWatchInterval,
  };
}
