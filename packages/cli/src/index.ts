/** @tessera/cli: the `tessera` command, and the service builders it runs (for tests and benchmarks). */
export { MASTER_NODE, NatsUnreachableError, startAgentService, startMasterService, startRuntime, type AgentServiceOptions, type Network, type Service } from './services.js';
export { ExecuteFramework, type ExecuteSpec, type OfferDecision, type TaskFailure } from './execute/execute-framework.js';
export { runExecute, type ExecuteResult, type RunExecuteOptions } from './execute/run-execute.js';
