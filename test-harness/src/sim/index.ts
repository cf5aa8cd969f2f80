/**
 * The simulator: thousands of real agents in one OS process whose tasks fork nothing, and a
 * trace replayer that drives frameworks through a workload and reports placement latency,
 * throughput and fairness. Everything else (master, allocator, drivers, NATS) is the real code.
 */
export { SimAgents, type SimAgent, type SimAgentsOptions, type SimStats } from './sim-agents.js';
export { AGENTS_PER_CONNECTION, SIM_HEARTBEAT_MS, SimTransports, type SimNetwork } from './sim-network.js';
export { SIM_DURATION_VARIABLE, SimTaskLauncher, simDurationMs } from './sim-task-launcher.js';
export { TraceError, formatTrace, parseTrace, type TraceJob } from './trace.js';
export { generateTrace, type GenerateTraceOptions } from './trace-generate.js';
export { TraceFramework, type LaunchedTask, type TraceDecision, type TraceFrameworkOptions } from './trace-framework.js';
export { TraceRecorder, summarize, type LatencySummary, type TaskCounts, type TraceBucket, type TraceReport } from './trace-report.js';
export { replayTrace, type ReplayOptions } from './trace-replayer.js';
