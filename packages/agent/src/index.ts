/**
 * @tessera/agent: the agent actor (registration, executors, reliable status updates), its pure
 * bookkeeping, resource and attribute parsing, and the executor launchers.
 */
export { Agent } from './agent.js';
export { AgentState, type ExecutorKind, type ExecutorPhase, type ExecutorRun, type Launch, type TaskRecord } from './agent-state.js';
export { AttributeParseError, parseAttributes } from './attributes.js';
export { Backoff } from './backoff.js';
export { CheckpointError, readAgentCheckpoint, readCheckpoint, type Checkpoint, type CheckpointedFramework, type CheckpointedTask } from './checkpoint-reader.js';
export { CheckpointWriter, checkpointDirectory, checkpointPaths, checkpointedNode } from './checkpoint-writer.js';
export { planRecovery, readBootId, restore, type RecoveryPlan, type Restored } from './recovery.js';
export * from './executor-environment.js';
export { SHUTDOWN_MARGIN_MS, type Termination } from './executor-supervisor.js';
export type { FetchRequest, SandboxFetcher } from './fetcher/types.js';
export { DEFAULT_FETCHER_CACHE_SIZE_BYTES, DEFAULT_FETCHER_MAX_DOWNLOAD_BYTES, UriFetcher, type FetcherStats, type UriFetcherOptions } from './fetcher/uri-fetcher.js';
export { DEFAULT_DISK_WATCH_INTERVAL_MS, DEFAULT_GC_DELAY_MS, DEFAULT_GC_DISK_HEADROOM, maxSandboxAgeMs, type GcPolicy } from './gc/gc-policy.js';
export { statfsDiskUsage, type DiskUsage } from './gc/sandbox-collector.js';
export { InProcessHostLauncher, type ExecutorHostFactory } from './in-process-host-launcher.js';
export { OsExecutorProcessLauncher, describeExit, exitStatusCode } from './os-executor-launcher.js';
export { OsProcessHostLauncher, type OsProcessHostLauncherOptions } from './os-process-host-launcher.js';
export { DEFAULT_PORTS, agentResources, detectedResources, readHostFacts, type HostFacts } from './resources-detection.js';
export { executorHostLogPath, pathIdError, sandboxPath } from './sandbox.js';
export { RETRY_MAX_MS, RETRY_MIN_MS, StatusUpdateManager } from './status-update-manager.js';
export * from './types.js';
export { UpdateStreams, type FrameworkUpdate } from './update-streams.js';
export * from './operator/index.js';
export * from './isolation/index.js';
