import { isValidName, parseUpid, type UPID } from '@tessera/process';

// The environment an agent gives an executor it starts as an OS process. One source of truth:
// the agent imports these names to build the environment, executors read them back here.

/** NATS server URL(s), comma-separated, the executor's runtime connects to. */
export const TESSERA_NATS_URL = 'TESSERA_NATS_URL';
/** The Tessera cluster name (the `tessera.<cluster>` subject namespace). */
export const TESSERA_CLUSTER = 'TESSERA_CLUSTER';
/** The pid (`name@node`) of the agent the executor subscribes to. */
export const TESSERA_AGENT = 'TESSERA_AGENT';
/** The executor's framework id. */
export const TESSERA_FRAMEWORK_ID = 'TESSERA_FRAMEWORK_ID';
/** The executor's own id. */
export const TESSERA_EXECUTOR_ID = 'TESSERA_EXECUTOR_ID';
/** The executor's sandbox directory (also set for every task it runs). */
export const TESSERA_SANDBOX = 'TESSERA_SANDBOX';
/** The node name of an executor host OS process (read by host-main). */
export const TESSERA_HOST_NODE = 'TESSERA_HOST_NODE';
/**
 * How long an executor keeps trying to reach its lost agent before it kills its tasks and exits
 * (ms; Mesos's MESOS_RECOVERY_TIMEOUT). For a hosted command executor it travels in
 * `executor.Spawn.environment`, and the host takes it out.
 */
export const TESSERA_RECOVERY_TIMEOUT_MS = 'TESSERA_RECOVERY_TIMEOUT_MS';
/** How long an executor host runs with no executor before it exits (ms; default 30,000). */
export const TESSERA_HOST_IDLE_MS = 'TESSERA_HOST_IDLE_MS';
/**
 * RLIMIT_NOFILE an executor host gives its task spawner, which every task inherits: the agent's
 * default, so that no task needs a wrapper to get it. Unset: the host's own.
 */
export const TESSERA_SPAWNER_NOFILE = 'TESSERA_SPAWNER_NOFILE';

// Mesos's names, set alongside ours so that executors and tasks written for Mesos find them.
/** Mesos's name for TESSERA_FRAMEWORK_ID. */
export const MESOS_FRAMEWORK_ID = 'MESOS_FRAMEWORK_ID';
/** Mesos's name for TESSERA_EXECUTOR_ID. */
export const MESOS_EXECUTOR_ID = 'MESOS_EXECUTOR_ID';
/** Mesos's name for the sandbox, as a task sees it. */
export const MESOS_SANDBOX = 'MESOS_SANDBOX';
/** Mesos's name for the sandbox, as the agent sees it (the same path here). */
export const MESOS_DIRECTORY = 'MESOS_DIRECTORY';
/** Set for each task by the command executor. */
export const MESOS_TASK_ID = 'MESOS_TASK_ID';

/**
 * Resource limits for the tasks of a command executor, carried in `executor.Spawn.environment`
 * until the Spawn message has a field of its own. The host takes them out of the environment.
 */
export const TESSERA_RLIMIT_DATA_BYTES = 'TESSERA_RLIMIT_DATA_BYTES';
/** See TESSERA_RLIMIT_DATA_BYTES. */
export const TESSERA_RLIMIT_CPU_SECONDS = 'TESSERA_RLIMIT_CPU_SECONDS';
/** See TESSERA_RLIMIT_DATA_BYTES. */
export const TESSERA_RLIMIT_NOFILE = 'TESSERA_RLIMIT_NOFILE';

/** What an executor OS process learns from its environment. */
export interface ExecutorEnvironment {
  /** NATS server URLs. */
  natsServers: string[];
  /** Cluster name; 'default' when unset, as NatsTransport's default. */
  cluster: string;
  agent: UPID;
  frameworkId: string;
  executorId: string;
  sandbox: string;
  /** TESSERA_RECOVERY_TIMEOUT_MS, when set. */
  recoveryTimeoutMs?: number;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the environment an agent gives a custom executor (Mesos's names are accepted where
 * Tessera's are missing). Throws naming every missing or malformed variable at once, so that a
 * misconfigured executor says all that is wrong in one line.
 */
export function executorEnvironment(env: Env = process.env): ExecutorEnvironment {
  const problems: string[] = [];
  const pick = (...names: string[]): string => {
    for (const name of names) {
      const value = env[name];
      if (value !== undefined && value.trim() !== '') return value.trim();
    }
    problems.push(`${names.join(' or ')} is not set`);
    return '';
  };
  const natsServers = pick(TESSERA_NATS_URL).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (natsServers.length === 0 && problems.length === 0) problems.push(`${TESSERA_NATS_URL} names no server`);
  const agent = pick(TESSERA_AGENT);
  if (agent !== '' && parseUpid(agent) === undefined) problems.push(`${TESSERA_AGENT} '${agent}' is not a pid (name@node)`);
  const frameworkId = pick(TESSERA_FRAMEWORK_ID, MESOS_FRAMEWORK_ID);
  const executorId = pick(TESSERA_EXECUTOR_ID, MESOS_EXECUTOR_ID);
  const sandbox = pick(TESSERA_SANDBOX, MESOS_SANDBOX, MESOS_DIRECTORY);
  const cluster = env[TESSERA_CLUSTER]?.trim() || 'default';
  const recoveryTimeoutMs = recoveryTimeoutFrom(env, problems);
  if (problems.length > 0) throw new Error(`executor environment: ${problems.join('; ')}`);
  return { natsServers, cluster, agent, frameworkId, executorId, sandbox, ...(recoveryTimeoutMs === undefined ? {} : { recoveryTimeoutMs }) };
}

/** TESSERA_RECOVERY_TIMEOUT_MS read as a positive integer; a bad value is added to `problems`. */
export function recoveryTimeoutFrom(env: Env, problems: string[]): number | undefined {
  const text = env[TESSERA_RECOVERY_TIMEOUT_MS]?.trim();
  if (text === undefined || text === '') return undefined;
  const ms = Number(text);
  if (Number.isSafeInteger(ms) && ms > 0) return ms;
  problems.push(`${TESSERA_RECOVERY_TIMEOUT_MS} must be a positive integer of ms, got '${text}'`);
  return undefined;
}

/**
 * The variables an agent sets for an executor it starts (the inverse of executorEnvironment):
 * Tessera's names and Mesos's.
 */
export function executorEnvironmentVariables(e: ExecutorEnvironment): Record<string, string> {
  return {
    [TESSERA_NATS_URL]: e.natsServers.join(','),
    [TESSERA_CLUSTER]: e.cluster,
    [TESSERA_AGENT]: e.agent,
    [TESSERA_FRAMEWORK_ID]: e.frameworkId,
    [TESSERA_EXECUTOR_ID]: e.executorId,
    [TESSERA_SANDBOX]: e.sandbox,
    [MESOS_FRAMEWORK_ID]: e.frameworkId,
    [MESOS_EXECUTOR_ID]: e.executorId,
    [MESOS_SANDBOX]: e.sandbox,
    [MESOS_DIRECTORY]: e.sandbox,
  };
}

/** What an executor host OS process learns from its environment. */
export interface HostEnvironment {
  natsServers: string[];
  cluster: string;
  node: string;
  idleMs: number | undefined;
  /** TESSERA_SPAWNER_NOFILE, when set. */
  spawnerNofile: number | undefined;
}

/** Reads an executor host's environment; throws naming every missing or malformed variable. */
export function hostEnvironment(env: Env = process.env): HostEnvironment {
  const problems: string[] = [];
  const natsServers = (env[TESSERA_NATS_URL] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (natsServers.length === 0) problems.push(`${TESSERA_NATS_URL} is not set`);
  const node = env[TESSERA_HOST_NODE]?.trim() ?? '';
  if (node === '') problems.push(`${TESSERA_HOST_NODE} is not set`);
  else if (!isValidName(node)) problems.push(`${TESSERA_HOST_NODE} '${node}' is not a node name ([A-Za-z0-9_-()], at most 128)`);
  const idleText = env[TESSERA_HOST_IDLE_MS]?.trim();
  const idleMs = idleText === undefined || idleText === '' ? undefined : Number(idleText);
  if (idleMs !== undefined && !(Number.isSafeInteger(idleMs) && idleMs >= 0)) problems.push(`${TESSERA_HOST_IDLE_MS} must be a non-negative integer, got '${idleText}'`);
  const nofileText = env[TESSERA_SPAWNER_NOFILE]?.trim();
  const spawnerNofile = nofileText === undefined || nofileText === '' ? undefined : Number(nofileText);
  if (spawnerNofile !== undefined && !(Number.isSafeInteger(spawnerNofile) && spawnerNofile > 0)) problems.push(`${TESSERA_SPAWNER_NOFILE} must be a positive integer, got '${nofileText}'`);
  if (problems.length > 0) throw new Error(`executor host environment: ${problems.join('; ')}`);
  return { natsServers, cluster: env[TESSERA_CLUSTER]?.trim() || 'default', node, idleMs, spawnerNofile };
}
