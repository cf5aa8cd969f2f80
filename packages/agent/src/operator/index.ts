/** The agent's operator views: state.json, container statistics (isolators and /proc), metrics, sandbox file access. */
export { AgentOperator, type AgentOperatorSource, type ContainerRef } from './agent-operator.js';
export type { AgentStateView, ExecutorView, FrameworkView, TaskView } from './agent-views.js';
export { CompletedHistory, DEFAULT_HISTORY_LIMITS, type HistoryLimits } from './completed-history.js';
export { containerStatistics, parseStat, parseStatm, type ContainerStatistics } from './proc-statistics.js';
export { agentMetrics, sumUsage, type AgentMetricsInput } from './agent-metrics.js';
export { MAX_READ_BYTES, SandboxFileError, browse, downloadStream, modeString, readChunk, resolveSandboxPath, wholeCharacters, type FileEntry } from './sandbox-files.js';
