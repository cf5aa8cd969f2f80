import type { CommandInfo, ContainerLaunch } from '@tessera/protocol';
import type { UPID } from '@tessera/process';
import type { MasterDetector } from '@tessera/leader';
import type { HostCapabilities } from './isolation/host-capabilities.js';
import type { SandboxFetcher } from './fetcher/types.js';

/** Mesos's `--executor_registration_timeout`: 1 min. */
export const DEFAULT_EXECUTOR_REGISTRATION_TIMEOUT_MS = 60_000;
/** Mesos's `--executor_shutdown_grace_period`: 5 s. */
export const DEFAULT_EXECUTOR_SHUTDOWN_GRACE_PERIOD_MS = 5_000;
/** Mesos's `--registration_backoff_factor`: 1 s. */
export const DEFAULT_REGISTRATION_BACKOFF_FACTOR_MS = 1_000;
/** Mesos's `REGISTER_RETRY_INTERVAL_MAX`: 1 min. */
export const DEFAULT_REGISTRATION_BACKOFF_MAX_MS = 60_000;
/** Open files a command task may hold: the usual Linux soft limit, applied as a hard cap. */
export const DEFAULT_RLIMIT_NOFILE = 1024;
/** The master's pid when none is given, as Mesos's `master` process id. */
export const DEFAULT_MASTER: UPID = 'master@master';
/** Mesos's `--executor_reregistration_timeout`: 2 s. */
export const DEFAULT_EXECUTOR_REREGISTRATION_TIMEOUT_MS = 2_000;
/**
 * How long a hosted executor the network hid from the agent (a NATS server down, heartbeats lost)
 * has to subscribe again before the agent destroys its run: past a NATS reconnect and a route
 * converging, short enough that a host that died unseen does not leave tasks RUNNING for long.
 */
export const DEFAULT_EXECUTOR_RECONNECT_TIMEOUT_MS = 30_000;
/** Mesos's `--recovery_timeout`: how long executors wait for a lost agent, 15 min. */
export const DEFAULT_RECOVERY_TIMEOUT_MS = 15 * 60_000;
/** The version an agent reports when none is given. */
export const AGENT_VERSION = '0.1.0';

/**
 * Starts and finds the executor hosts: the processes that run command executors (one host per
 * framework per agent, so a command task costs a fork, not a Node start).
 */
export interface ExecutorHostLauncher {
  /**
   * The pid of the framework's host, starting one if none runs. `logFile` is where an OS-process
   * host writes its output (an in-process host ignores it).
   */
  hostFor(frameworkId: string, options?: { logFile?: string }): Promise<UPID>;
  /**
   * The host at `pid` did not take a message (it exited, e.g. idle): forget it, so that the next
   * `hostFor` starts a new one.
   */
  forget?(frameworkId: string, pid: UPID): void;
  /** True when the host of the executor at `pid` is known to have exited (its OS process is gone). */
  gone?(pid: UPID): boolean;
  /** Stops every host this launcher started (their executors shut down with them). */
  shutdown(): Promise<void>;
}

/** How an executor OS process ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all. */
  error?: string;
}

/** A custom executor's OS process, as the agent watches it. */
export interface ExecutorProcess {
  /** The OS pid (undefined when the spawn failed). */
  readonly pid: number | undefined;
  /** Settles once, when the process (its group leader) has exited. */
  readonly exited: Promise<ExitStatus>;
  /** Signals the executor's whole process group. */
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

/** What the agent asks of a custom executor launch. */
export interface ExecutorProcessSpec {
  command: CommandInfo;
  /** The whole environment of the process (the launcher adds nothing). */
  environment: Record<string, string>;
  /** The sandbox: the working directory, where `stdout` and `stderr` go. */
  directory: string;
  /** The container the executor is born in (cgroups, limits, namespaces), as tasks of hosted executors are. */
  container?: ContainerLaunch;
}

/** Starts custom executors (CommandInfo of an ExecutorInfo) as OS processes. */
export interface ExecutorProcessLauncher {
  launch(spec: ExecutorProcessSpec): ExecutorProcess;
}

/** NATS settings handed to executors so that they can reach the agent. */
export interface NatsSettings {
  url: string;
  cluster: string;
}

/** How an agent is built. Only `workDir` and `hostLauncher` are required. */
export interface AgentOptions {
  /** The master's pid when there is no detector (default `master@master`). */
  master?: UPID;
  /** Who leads the masters; the agent follows it (default: `master`, never changing). */
  detector?: MasterDetector;
  /**
   * Where the agent checkpoints (see checkpointDirectory) and recovers from at start; without
   * it nothing is checkpointed. A corrupt checkpoint makes the constructor throw CheckpointError.
   */
  checkpointDir?: string;
  /** This boot's id (default: /proc/sys/kernel/random/boot_id); another one means a reboot. */
  bootId?: string;
  /** How long a recovering agent waits for its executors to subscribe again (default 2 s). */
  executorReregistrationTimeoutMs?: number;
  /** How long a hosted executor hidden by the network has to subscribe again (default 30 s). */
  executorReconnectTimeoutMs?: number;
  /** How long executors keep trying to reach a lost agent before they kill their tasks (default 15 min). */
  recoveryTimeoutMs?: number;
  /** Sandboxes live under `<workDir>/agents/<agent_id>/...`. */
  workDir: string;
  /** The process name (default `agent`). */
  name?: string;
  /** Reported to the master (default: the OS host name). */
  hostname?: string;
  port?: number;
  /**
   * `host:port` where executors on this machine reach the agent's HTTP server, given to custom
   * executors as MESOS_AGENT_ENDPOINT (Mesos's v1 executor API); unset when it serves no HTTP.
   */
  httpEndpoint?: string;
  /** Mesos `--resources` text; names given here replace the detected ones. */
  resources?: string;
  /** Mesos `--attributes` text, e.g. `rack:a;zone:1`. */
  attributes?: string;
  /** Passed to custom executors (TESSERA_NATS_URL, TESSERA_CLUSTER). */
  nats?: NatsSettings;
  /** Runs command executors (and default executors of task groups). */
  hostLauncher: ExecutorHostLauncher;
  /** Runs custom executors (default: OS processes, see OsExecutorProcessLauncher). */
  executorLauncher?: ExecutorProcessLauncher;
  executorRegistrationTimeoutMs?: number;
  executorShutdownGracePeriodMs?: number;
  registrationBackoffFactorMs?: number;
  registrationBackoffMaxMs?: number;
  version?: string;
  /** RLIMIT_NOFILE of command tasks (default 1024; 0 leaves it alone). */
  rlimitNofile?: number;
  /** RLIMIT_CPU of command tasks, in seconds (default: none). */
  rlimitCpuSeconds?: number;
  /** Caps a command task's RLIMIT_DATA at its `mem` resource, with posix/mem (default true). */
  enforceMemoryRlimit?: boolean;
  /**
   * Mesos's `--isolation`: isolator names, comma separated (see docs/isolation.md), or 'auto' for
   * the cgroups isolators the host has (posix ones for the rest) and posix/rlimits. Default:
   * Mesos's own, `posix/cpu,posix/mem`, with the posix launcher.
   */
  isolation?: string;
  /** 'linux' destroys containers through the freezer; 'posix' by process groups (default: linux when the host has a freezer hierarchy and isolation is given). */
  launcher?: 'linux' | 'posix';
  /** Container cgroups live under `<hierarchy>/<agent's own cgroup>/<cgroupsRoot>` (default `tessera`). */
  cgroupsRoot?: string;
  /** cgroups/pids: `pids.max` of each container (default 4096; Mesos sets none). */
  cgroupsPidsLimit?: number;
  /**
   * cgroups/cpu: a CFS quota of cpus x 100 ms besides the shares (default false, as Mesos's
   * --cgroups_enable_cfs: a task of cpus 0.01 may run 1 ms per 100 ms, so even an exec waits).
   */
  cgroupsEnableCfs?: boolean;
  /** What the host offers (default: detected at construction when isolation is given). */
  hostCapabilities?: HostCapabilities;
  /** How often containers are checked for broken limits (default 5 s). */
  limitationPollMs?: number;
  /** disk/du: Mesos's `--enforce_container_disk_quota`, a container over its disk is killed (default false). */
  enforceContainerDiskQuota?: boolean;
  /** disk/du: Mesos's `--container_disk_watch_interval`, how often each sandbox is measured (default 15 s). */
  containerDiskWatchIntervalMs?: number;
  /** network/ports: Mesos's `--enforce_container_ports`, a container listening on a port it was not given is killed (default false). */
  enforceContainerPorts?: boolean;
  /** network/ports: Mesos's `--container_ports_watch_interval`, how often listening ports are checked (default 30 s). */
  containerPortsWatchIntervalMs?: number;
  /** First retry of an unacknowledged status update (default 10 s, doubling to 10 min, as Mesos). */
  statusUpdateRetryMinMs?: number;
  /** Fills a new run's sandbox before its executor starts (default: a UriFetcher from the fetcher options). */
  fetcher?: SandboxFetcher;
  /** Mesos's `--fetcher_cache_dir` (default `<workDir>/fetch-cache`); each agent id caches under `agents/<id>` in it. */
  fetcherCacheDir?: string;
  /** Mesos's `--fetcher_cache_size` in bytes (default 2 GB). */
  fetcherCacheSizeBytes?: number;
  /** A fetched file bigger than this fails its task (default 2 GB). */
  fetcherMaxDownloadBytes?: number;
  /** Mesos's `--gc_delay`: how long a finished sandbox is kept on an empty disk, before headroom (default 1 week). */
  gcDelayMs?: number;
  /** Mesos's `--gc_disk_headroom` (default 0.1): sandboxes are kept `gcDelay x max(0, 1 - headroom - disk usage)`. */
  gcDiskHeadroom?: number;
  /** Mesos's `--disk_watch_interval`: how often the disk usage is read and old sandboxes removed (default 1 min). */
  diskWatchIntervalMs?: number;
  /** The fraction of the work directory's file system in use (default: from statfs); tests inject one. */
  diskUsage?: (dir: string) => Promise<number>;
}
