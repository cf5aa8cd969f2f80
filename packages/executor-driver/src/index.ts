/**
 * @tessera/executor-driver: the library executors are written with (ExecutorDriver, runExecutor),
 * the built-in command executor, and the executor host that runs many of them in one OS process.
 */
export {
  ExecutorDriver,
  RECOVERY_TIMEOUT_MS,
  type ExecutorCallbacks,
  type ExecutorDriverOptions,
  type StatusUpdate,
  type SubscribedInfo,
} from './executor-driver.js';
export { runExecutor, type RunExecutorOptions, type RunningExecutor } from './run-executor.js';
export {
  CommandExecutor,
  DEFAULT_SHUTDOWN_GRACE_MS,
  SHUTDOWN_ACK_WAIT_MS,
  type CommandExecutorOptions,
} from './command-executor.js';
export { ExecutorHost, type ExecutorHostOptions } from './executor-host.js';
export { EXECUTOR_HOST_MAIN } from './host-main-path.js';
export {
  DEFAULT_KILL_GRACE_MS,
  commandLine,
  describeExit,
  gracePeriodMs,
  rlimitsFromEnvironment,
  ulimitLine,
  type CommandLine,
  type ExitStatus,
  type Rlimits,
} from './command-line.js';
export { processLauncher, type LaunchSpec, type TaskExit, type TaskLauncher } from './task-launcher.js';
export { SpawnerLauncher, type SpawnerOptions } from './spawner-launcher.js';
export { CgroupPlacement } from './cgroup-placement.js';
export { containedCommand, limitsToSet, parseLimits, prlimitOptions, type ContainedCommand, type LimitPair } from './container-launch.js';
export { Backoff, RESEND_INTERVAL_MS, UnacknowledgedBook } from './unacknowledged.js';
export * from './environment.js';
export { HEALTH_CHECK_DEFAULTS, planHealthCheck, type HealthCheckPlan, type HealthCheckTarget } from './health/health-plan.js';
export { HealthPolicy, type HealthVerdict } from './health/health-policy.js';
export { HealthChecker, type CheckScheduler, type HealthReport } from './health/health-checker.js';
export type { CheckOutcome, CheckRun } from './health/check-run.js';
export { commandCheck, type CommandCheckContext } from './health/command-check.js';
export { httpCheck, healthyStatus, MAX_HEALTH_CHECK_REDIRECTS } from './health/http-check.js';
export { tcpCheck } from './health/tcp-check.js';
