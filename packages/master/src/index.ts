/** @tessera/master: the master actor, its lifecycles, and the pure policy modules it runs on. */
export { Master, type MasterOptions } from './master.js';
export { DEFAULT_MASTER_FLAGS, masterFlags, type MasterFlags } from './master-flags.js';
export { MasterState, rolesOf, type AgentRecord, type FrameworkRecord, type TaskRecord } from './master-state.js';
export { applyTaskState, isTerminal, newTask, taskMachine, taskState, type TaskEvent, type TaskSnapshot } from './lifecycle/task-lifecycle.js';
export { agentLifecycle, type AgentLifecycleState } from './lifecycle/agent-lifecycle.js';
export { frameworkLifecycle, type FrameworkLifecycleState } from './lifecycle/framework-lifecycle.js';
export { validateAccept, type AcceptContext, type AcceptVerdict, type OfferRecord, type TaskRefusal } from './accept-validation.js';
export { reconcile } from './reconciliation.js';
export { frameworkInfoProblem, roleProblem } from './framework-validation.js';
export { MasterContender, type MasterContenderOptions } from './master-contender.js';
export { StandbyMaster } from './standby-master.js';
export { DeferredReconciliation } from './deferred-reconciliation.js';
export { MemoryRegistryStore, applyOperation, emptyRegistry, type RegistryOperation, type RegistrySnapshot, type RegistryStore } from './registry/registry.js';
export { KvRegistryStore, RegistryCorruptError } from './registry/kv-registry-store.js';
export type { MasterOperator, MasterView, OperatorAnswer } from './operator/master-operator.js';
export { TESSERA_VERSION } from './operator/operator-host.js';
export { joinStateJson, writtenJson, type ItemJson, type ListPart, type StateJsonParts } from './operator/state-json.js';
