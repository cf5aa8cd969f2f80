import type { Resource, RLimit } from '@tessera/protocol';
import type { Logger } from '@tessera/process';
import type { Pause } from './cgroups.js';
import type { HostCapabilities } from './host-capabilities.js';

// The contract every isolator keeps (Mesos's Isolator, made synchronous where it can be). The
// containerizer calls prepare before a container's executor starts, update when its resources
// change, usage and limitation while it runs, and cleanup once it has ended.

/**
 * One POSIX resource limit, as Mesos's RLimitInfo.RLimit (protocol's schema): soft and hard both
 * set, or neither (unlimited), in the limit's own unit (bytes, seconds, count).
 */
export type { RLimit };
export type RLimitType = RLimit['type'];

/** What a container is, as isolators see it. */
export interface ContainerSpec {
  /** The executor run's id (Mesos's ContainerID): unique on this agent, safe as a path segment. */
  containerId: string;
  frameworkId: string;
  executorId: string;
  /** The sandbox. */
  directory: string;
  /** The executor's resources plus those of every task it runs now. */
  resources: Resource[];
  /** From the task's (or executor's) ContainerInfo.rlimit_info, for posix/rlimits. */
  rlimits?: RLimit[];
  /** ContainerInfo.type, when the framework gave one (DOCKER is refused). */
  containerType?: 'DOCKER' | 'MESOS';
  /** Who runs the container's tasks: an executor of the agent's ('command', 'default') or the framework's own ('custom'). */
  executorKind?: 'command' | 'default' | 'custom';
}

/**
 * What the process launcher must do for every process it starts in a container; the merge of
 * every isolator's plan. Travels to executor hosts as `executor.Spawn.container`.
 */
export interface LaunchPlan {
  /** Cgroup directories (absolute) the process is born in: placed before exec, never moved after. */
  cgroups?: string[];
  /** Limits the process must run under; the launcher sets those that differ from its own. */
  rlimits?: RLimit[];
  /** Start in a new pid namespace (the task is pid 1 there, and sees only its own). */
  pidNamespace?: boolean;
  /** A private /tmp, and the host read-only outside the sandbox. */
  filesystem?: { privateTmp: boolean; readOnlyHost: boolean };
}

/** Why a container was (or must be) stopped: the agent turns it into the task's reason. */
export interface Limitation {
  reason: 'REASON_CONTAINER_LIMITATION_MEMORY' | 'REASON_CONTAINER_LIMITATION_DISK' | 'REASON_CONTAINER_LIMITATION';
  /** Names the limit, e.g. "Memory limit exceeded: 64 MB (oom_kill 1)". */
  message: string;
}

/** A container's usage, named as Mesos's ResourceStatistics (every field optional). */
export interface ContainerUsage {
  processes?: number;
  threads?: number;
  cpus_user_time_secs?: number;
  cpus_system_time_secs?: number;
  cpus_limit?: number;
  cpus_nr_periods?: number;
  cpus_nr_throttled?: number;
  cpus_throttled_time_secs?: number;
  mem_rss_bytes?: number;
  mem_total_bytes?: number;
  mem_limit_bytes?: number;
  disk_used_bytes?: number;
  disk_limit_bytes?: number;
}

/** One kind of isolation, chosen by name with `--isolation`. */
export interface Isolator {
  /** As in Mesos's `--isolation`: 'cgroups/mem', 'posix/rlimits', 'disk/du', ... */
  readonly name: string;
  /**
   * Before the container's executor starts: create what the container needs (a cgroup, with its
   * limits written) and say how its processes must be launched.
   * The containerizer runs every isolator's prepare at once.
   * @throws (or rejects) when the container cannot be isolated; the containerizer cleans up what was prepared.
   */
  prepare(spec: ContainerSpec): LaunchPlan | Promise<LaunchPlan>;
  /** The container's resources changed (a task joined, or ended in, a running executor). */
  update?(spec: ContainerSpec): void;
  /** What the container uses now, for /monitor/statistics and metrics. */
  usage?(spec: ContainerSpec): ContainerUsage;
  /**
   * Whether the container broke a limit: polled by the agent every few seconds, and asked when
   * an executor reports a task that died by a signal.
   */
  limitation?(spec: ContainerSpec): Limitation | undefined;
  /**
   * The container has ended (its processes are killed by the time this runs): remove what
   * prepare made. May be called for a container prepare failed on, or never saw (recovery).
   */
  cleanup(spec: ContainerSpec): void | Promise<void>;
  /** The isolator's own counters and gauges for the agent's /metrics/snapshot, by metric name. */
  metrics?(): Record<string, number>;
  /**
   * The agent has stopped: end any periodic work. Its containers may live on (an agent stops
   * without killing its executors) for a restarted agent to recover; nothing of theirs is removed.
   */
  close?(): void;
}

/** What an isolator is built from. */
export interface IsolatorContext {
  host: HostCapabilities;
  /** Container cgroups live under `<hierarchy>/<agent's own cgroup>/<cgroupsRoot>/<containerId>`. */
  cgroupsRoot: string;
  /** The agent's per-container defaults (pids limit, nofile, ...). */
  settings: IsolationSettings;
  logger: Logger;
  /** Waits on the agent's clock (a destroy polls the kernel while processes die). */
  pause: Pause;
}

/** Agent settings the isolators apply. */
export interface IsolationSettings {
  /** cgroups/pids: `pids.max` of each container. */
  pidsLimit: number;
  /** RLIMIT_NOFILE of every task (0: left as the launcher's). */
  rlimitNofile: number;
  /** RLIMIT_CPU of every task, in seconds (undefined: none). */
  rlimitCpuSeconds: number | undefined;
  /** posix/mem: caps RLIMIT_DATA at the container's mem. */
  enforceMemoryRlimit: boolean;
  /** cgroups/cpu: a CFS quota (a hard cap) besides the shares. */
  enableCfs: boolean;
  /** disk/du: Mesos's `--enforce_container_disk_quota` (default false: measured and reported only). */
  enforceContainerDiskQuota?: boolean;
  /** disk/du: Mesos's `--container_disk_watch_interval` (default 15 s). */
  containerDiskWatchIntervalMs?: number;
  /** network/ports: Mesos's `--enforce_container_ports` (default false: reported only). */
  enforceContainerPorts?: boolean;
  /** network/ports: Mesos's `--container_ports_watch_interval` (default 30 s). */
  containerPortsWatchIntervalMs?: number;
}

/** Builds an isolator, or says why this host cannot have it (a string). */
export type IsolatorFactory = (context: IsolatorContext) => Isolator | string;
