import { Resources, type CommandInfo, type TaskInfo } from '@tessera/protocol';
import type { NatsSettings } from './types.js';
import {
  TESSERA_NATS_URL as ENV_NATS_URL,
  TESSERA_CLUSTER as ENV_CLUSTER,
  TESSERA_AGENT as ENV_AGENT,
  TESSERA_FRAMEWORK_ID as ENV_FRAMEWORK_ID,
  TESSERA_EXECUTOR_ID as ENV_EXECUTOR_ID,
  TESSERA_SANDBOX as ENV_SANDBOX,
  TESSERA_HOST_NODE as ENV_HOST_NODE,
  TESSERA_RLIMIT_NOFILE as ENV_RLIMIT_NOFILE,
  TESSERA_RLIMIT_CPU_SECONDS as ENV_RLIMIT_CPU_SECONDS,
  TESSERA_RLIMIT_DATA_BYTES as ENV_RLIMIT_DATA_BYTES,
  TESSERA_RECOVERY_TIMEOUT_MS as ENV_RECOVERY_TIMEOUT_MS,
  MESOS_DIRECTORY,
  MESOS_EXECUTOR_ID,
  MESOS_FRAMEWORK_ID,
  MESOS_SANDBOX,
} from '@tessera/executor-driver';


// The variables an agent gives executors: executor-driver declares them (one source of truth).
export {
  ENV_NATS_URL,
  ENV_CLUSTER,
  ENV_AGENT,
  ENV_FRAMEWORK_ID,
  ENV_EXECUTOR_ID,
  ENV_SANDBOX,
  ENV_HOST_NODE,
  ENV_RLIMIT_NOFILE,
  ENV_RLIMIT_CPU_SECONDS,
  ENV_RLIMIT_DATA_BYTES,
  ENV_RECOVERY_TIMEOUT_MS,
};

/** Limits applied to a command task's processes. */
export interface TaskRlimits {
  nofile?: number;
  cpuSeconds?: number;
  dataBytes?: number;
}

/** The agent options that shape a command task's limits. */
export interface RlimitPolicy {
  rlimitNofile: number;
  rlimitCpuSeconds: number | undefined;
  enforceMemoryRlimit: boolean;
}

/**
 * The limits of a command task (or of every task of a default executor's group, with
 * `task` undefined: their memory is the group's, so no per-task data limit applies).
 */
export function commandTaskRlimits(task: TaskInfo | undefined, policy: RlimitPolicy): TaskRlimits {
  const limits: TaskRlimits = {};
  if (policy.rlimitNofile > 0) limits.nofile = policy.rlimitNofile;
  if (policy.rlimitCpuSeconds !== undefined && policy.rlimitCpuSeconds > 0) limits.cpuSeconds = policy.rlimitCpuSeconds;
  if (task !== undefined && policy.enforceMemoryRlimit) {
    const mb = Resources.of(task.resources).scalar('mem');
    if (mb > 0) limits.dataBytes = Math.floor(mb * 1024 * 1024);
  }
  return limits;
}

/**
 * `executor.Spawn`'s environment: the executor identity (as Mesos gives it), the limits, and how
 * long the executor waits for a lost agent.
 */
export function spawnEnvironment(
  frameworkId: string, executorId: string, directory: string, limits: TaskRlimits, recoveryTimeoutMs?: number,
): { variables: { name: string; value: string }[] } {
  const variables = [
    { name: MESOS_FRAMEWORK_ID, value: frameworkId },
    { name: MESOS_EXECUTOR_ID, value: executorId },
    { name: MESOS_DIRECTORY, value: directory },
  ];
  if (recoveryTimeoutMs !== undefined) variables.push({ name: ENV_RECOVERY_TIMEOUT_MS, value: String(recoveryTimeoutMs) });
  if (limits.nofile !== undefined) variables.push({ name: ENV_RLIMIT_NOFILE, value: String(limits.nofile) });
  if (limits.cpuSeconds !== undefined) variables.push({ name: ENV_RLIMIT_CPU_SECONDS, value: String(limits.cpuSeconds) });
  if (limits.dataBytes !== undefined) variables.push({ name: ENV_RLIMIT_DATA_BYTES, value: String(limits.dataBytes) });
  return { variables };
}

/** What a custom executor's environment is made of. */
export interface CustomExecutorContext {
  /** The agent's own environment (PATH, HOME, ...), inherited as Mesos's executors do. */
  base: Record<string, string | undefined>;
  command: CommandInfo;
  frameworkId: string;
  executorId: string;
  directory: string;
  agent: string;
  nats: NatsSettings | undefined;
  shutdownGracePeriodMs: number;
  recoveryTimeoutMs?: number;
  /** The agent's id (MESOS_SLAVE_ID). */
  agentId?: string;
  /** `host:port` of the agent's HTTP server (MESOS_AGENT_ENDPOINT); none without a server. */
  agentEndpoint?: string;
  /** The framework asked for checkpointing (MESOS_CHECKPOINT, and the reconnection variables). */
  checkpoint?: boolean;
  /** The longest back-off between two SUBSCRIBE attempts (the agent's re-registration timeout). */
  subscriptionBackoffMaxMs?: number;
}

/**
 * The whole environment of a custom executor process: the agent's, then the Tessera and Mesos
 * executor variables, then the executor's own CommandInfo.environment, which wins (a framework
 * may point its executor elsewhere on purpose). The Mesos variables are those Mesos's agent sets
 * (containerizer.cpp executorEnvironment), durations written as Mesos writes them ("5secs").
 */
export function customExecutorEnvironment(ctx: CustomExecutorContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.base)) if (value !== undefined) env[name] = value;
  if (ctx.nats !== undefined) {
    env[ENV_NATS_URL] = ctx.nats.url;
    env[ENV_CLUSTER] = ctx.nats.cluster;
  }
  env[ENV_AGENT] = ctx.agent;
  env[ENV_FRAMEWORK_ID] = ctx.frameworkId;
  env[ENV_EXECUTOR_ID] = ctx.executorId;
  env[ENV_SANDBOX] = ctx.directory;
  if (ctx.recoveryTimeoutMs !== undefined) env[ENV_RECOVERY_TIMEOUT_MS] = String(ctx.recoveryTimeoutMs);
  Object.assign(env, mesosExecutorVariables(ctx));
  for (const v of ctx.command.environment?.variables ?? []) env[v.name] = v.value ?? '';
  return env;
}

/**
 * The MESOS_* variables of a custom executor, as Mesos's agent sets them. An executor written
 * for Mesos's v1 executor HTTP API reads its identity and MESOS_AGENT_ENDPOINT here; with
 * MESOS_CHECKPOINT=1 it reconnects after losing the agent, within MESOS_RECOVERY_TIMEOUT, waiting
 * at most MESOS_SUBSCRIPTION_BACKOFF_MAX between attempts.
 */
export function mesosExecutorVariables(ctx: CustomExecutorContext): Record<string, string> {
  const env: Record<string, string> = {
    [MESOS_FRAMEWORK_ID]: ctx.frameworkId,
    [MESOS_EXECUTOR_ID]: ctx.executorId,
    [MESOS_DIRECTORY]: ctx.directory,
    [MESOS_SANDBOX]: ctx.directory,
  };
  if (ctx.agentId !== undefined) env.MESOS_SLAVE_ID = ctx.agentId;
  if (ctx.agentEndpoint !== undefined) env.MESOS_AGENT_ENDPOINT = ctx.agentEndpoint;
  env.MESOS_CHECKPOINT = ctx.checkpoint === true ? '1' : '0';
  // Mesos's own command executor reads it; Tessera's command executors are not Mesos's.
  env.MESOS_HTTP_COMMAND_EXECUTOR = '0';
  env.MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD = mesosDuration(ctx.shutdownGracePeriodMs);
  if (ctx.checkpoint === true) {
    if (ctx.recoveryTimeoutMs !== undefined) env.MESOS_RECOVERY_TIMEOUT = mesosDuration(ctx.recoveryTimeoutMs);
    if (ctx.subscriptionBackoffMaxMs !== undefined) env.MESOS_SUBSCRIPTION_BACKOFF_MAX = mesosDuration(ctx.subscriptionBackoffMaxMs);
  }
  return env;
}

const DURATION_UNITS: [name: string, ms: number][] = [
  ['weeks', 7 * 24 * 3_600_000], ['days', 24 * 3_600_000], ['hrs', 3_600_000], ['mins', 60_000], ['secs', 1_000], ['ms', 1],
];

/**
 * A duration as Mesos prints one (stout's Duration): in the largest unit it reaches, or in the
 * next smaller one when that makes it whole (90 s is "90secs", 120 s "2mins", 1.5 s "1500ms").
 * Mesos's executor library and its client libraries parse this form.
 */
export function mesosDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`a duration must be a non-negative number of ms, got ${ms}`);
  if (ms < 1) return `${Math.round(ms * 1_000_000)}ns`;
  const bucket = DURATION_UNITS.findIndex(([, unit]) => ms >= unit);
  const [name, unit] = DURATION_UNITS[bucket]!;
  const smaller = DURATION_UNITS[bucket + 1];
  if (ms % unit !== 0 && smaller !== undefined && ms % smaller[1] === 0) return `${ms / smaller[1]}${smaller[0]}`;
  return `${ms / unit}${name}`;
}
