import { Resources, validateBody, type ExecutorInfo, type Resource, type FrameworkInfo, type Id, type KillPolicy, type TaskInfo } from '@tessera/protocol';
import { InvalidCallError } from './errors.js';
import type { Call, CallType, Filters, IdLike, Operation, ReconcileTask } from './types.js';

// Pure builders of `scheduler.Call` bodies, and the check every call passes before it is sent.
// Nothing here knows about processes or time, so every call shape is tested without a runtime.

/** Mesos's payload rule: the payload of a call sits in the field named by its type in lower case. */
function payloadField(type: string): string {
  return type.toLowerCase();
}

/** Call types that carry no payload. */
const NO_PAYLOAD: ReadonlySet<CallType> = new Set(['TEARDOWN']);
const PAYLOAD_FIELDS = ['subscribe', 'accept', 'decline', 'revive', 'suppress', 'kill', 'shutdown', 'acknowledge', 'reconcile', 'message', 'update_framework'];

/** Wraps a string id in `{value}`; an `{value}` object is copied. Anything else is refused here. */
export function toId(id: IdLike, call: CallType, field: string): Id {
  if (typeof id === 'string') return { value: id };
  if (typeof id === 'object' && id !== null && typeof (id as Id).value === 'string') return { value: id.value };
  throw new InvalidCallError(call, `${field} must be a string or {value: string}, got ${JSON.stringify(id)}`);
}

function toIds(ids: readonly IdLike[], call: CallType, field: string): Id[] {
  if (!Array.isArray(ids)) throw new InvalidCallError(call, `${field} must be an array of ids`);
  return ids.map((id, i) => toId(id, call, `${field}[${i}]`));
}

// Optional fields are left out rather than set to undefined: msgpack would carry an explicit nil.
function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) out[key] = value;
  return out as T;
}

/** SUBSCRIBE; with `framework.id` set (a failover) the id is repeated at the top level, as Mesos wants. */
export function subscribeCall(framework: FrameworkInfo, suppressedRoles?: readonly string[]): Call {
  const subscribe = withOptional({ framework_info: framework }, { suppressed_roles: suppressedRoles?.length ? [...suppressedRoles] : undefined });
  return withOptional({ type: 'SUBSCRIBE', subscribe } as Call, { framework_id: framework.id });
}

/** ACCEPT: apply `operations` to the offers (all on one agent), declining what they leave. */
export function acceptCall(frameworkId: string, offerIds: readonly IdLike[], operations: readonly Operation[], filters?: Filters): Call {
  const accept = withOptional({ offer_ids: toIds(offerIds, 'ACCEPT', 'offer_ids'), operations: [...operations] }, { filters });
  return { framework_id: { value: frameworkId }, type: 'ACCEPT', accept };
}

/** The LAUNCH operation. */
export function launchOperation(tasks: readonly TaskInfo[]): Operation {
  return { type: 'LAUNCH', launch: { task_infos: [...tasks] } };
}

/** The LAUNCH_GROUP operation: `tasks` start together under `executor`. */
export function launchGroupOperation(executor: ExecutorInfo, tasks: readonly TaskInfo[]): Operation {
  return { type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks: [...tasks] } } };
}

/** The RESERVE operation (dynamic reservation of offered resources). */
export function reserveOperation(resources: Resources | readonly Resource[]): Operation {
  return { type: 'RESERVE', reserve: { resources: resources instanceof Resources ? resources.toJSON() : [...resources] } };
}

/** The UNRESERVE operation. */
export function unreserveOperation(resources: Resources | readonly Resource[]): Operation {
  return { type: 'UNRESERVE', unreserve: { resources: resources instanceof Resources ? resources.toJSON() : [...resources] } };
}

/** DECLINE the offers; `filters.refuse_seconds` keeps them away for a while. */
export function declineCall(frameworkId: string, offerIds: readonly IdLike[], filters?: Filters): Call {
  const decline = withOptional({ offer_ids: toIds(offerIds, 'DECLINE', 'offer_ids') }, { filters });
  return { framework_id: { value: frameworkId }, type: 'DECLINE', decline };
}

/** REVIVE offers for `roles` (all of the framework's roles when absent), clearing filters. */
export function reviveCall(frameworkId: string, roles?: readonly string[]): Call {
  return { framework_id: { value: frameworkId }, type: 'REVIVE', revive: withOptional({}, { roles: roles && [...roles] }) };
}

/** SUPPRESS offers for `roles` (all of the framework's roles when absent). */
export function suppressCall(frameworkId: string, roles?: readonly string[]): Call {
  return { framework_id: { value: frameworkId }, type: 'SUPPRESS', suppress: withOptional({}, { roles: roles && [...roles] }) };
}

/** KILL a task; the agent id speeds it up, and is needed for tasks the master does not know. */
export function killCall(frameworkId: string, taskId: IdLike, agentId?: IdLike, killPolicy?: KillPolicy): Call {
  const kill = withOptional(
    { task_id: toId(taskId, 'KILL', 'task_id') },
    { agent_id: agentId === undefined ? undefined : toId(agentId, 'KILL', 'agent_id'), kill_policy: killPolicy },
  );
  return { framework_id: { value: frameworkId }, type: 'KILL', kill };
}

/** SHUTDOWN an executor and every task it runs. */
export function shutdownCall(frameworkId: string, executorId: IdLike, agentId: IdLike): Call {
  const shutdown = { executor_id: toId(executorId, 'SHUTDOWN', 'executor_id'), agent_id: toId(agentId, 'SHUTDOWN', 'agent_id') };
  return { framework_id: { value: frameworkId }, type: 'SHUTDOWN', shutdown };
}

/** ACKNOWLEDGE the update with `uuid` of a task. */
export function acknowledgeCall(frameworkId: string, agentId: IdLike, taskId: IdLike, uuid: string): Call {
  const acknowledge = { agent_id: toId(agentId, 'ACKNOWLEDGE', 'agent_id'), task_id: toId(taskId, 'ACKNOWLEDGE', 'task_id'), uuid };
  return { framework_id: { value: frameworkId }, type: 'ACKNOWLEDGE', acknowledge };
}

/** RECONCILE the tasks given; an empty list asks for every task the master knows (implicit reconciliation). */
export function reconcileCall(frameworkId: string, tasks: readonly ReconcileTask[]): Call {
  if (!Array.isArray(tasks)) throw new InvalidCallError('RECONCILE', 'tasks must be an array (empty for implicit reconciliation)');
  const list = tasks.map((t, i) => withOptional(
    { task_id: toId(t.task_id, 'RECONCILE', `tasks[${i}].task_id`) },
    { agent_id: t.agent_id === undefined ? undefined : toId(t.agent_id, 'RECONCILE', `tasks[${i}].agent_id`) },
  ));
  return { framework_id: { value: frameworkId }, type: 'RECONCILE', reconcile: { tasks: list } };
}

/** MESSAGE an executor. */
export function messageCall(frameworkId: string, agentId: IdLike, executorId: IdLike, data: string): Call {
  const message = { agent_id: toId(agentId, 'MESSAGE', 'agent_id'), executor_id: toId(executorId, 'MESSAGE', 'executor_id'), data };
  return { framework_id: { value: frameworkId }, type: 'MESSAGE', message };
}

/** UPDATE_FRAMEWORK: new framework info (same id) and, optionally, the roles to keep suppressed. */
export function updateFrameworkCall(frameworkId: string, framework: FrameworkInfo, suppressedRoles?: readonly string[]): Call {
  const update_framework = withOptional({ framework_info: framework }, { suppressed_roles: suppressedRoles && [...suppressedRoles] });
  return { framework_id: { value: frameworkId }, type: 'UPDATE_FRAMEWORK', update_framework };
}

/** TEARDOWN: the master kills the framework's tasks and forgets it. */
export function teardownCall(frameworkId: string): Call {
  return { framework_id: { value: frameworkId }, type: 'TEARDOWN' };
}

/**
 * Checks a call as the master would, so that a mistake throws at the caller: the schema, then
 * what the schema cannot say (the payload matches the type, offer ids are given and distinct,
 * filters are sane, operations carry their payload, task ids are distinct). Throws InvalidCallError.
 */
export function validateCall(call: Call): Call {
  const type = (call as { type?: unknown }).type;
  const name = (typeof type === 'string' ? type : 'scheduler') as CallType;
  const schema = validateBody('scheduler.Call', call);
  if (!schema.ok) throw new InvalidCallError(name, schema.error);
  const field = payloadField(call.type);
  const record = call as unknown as Record<string, unknown>;
  if (!NO_PAYLOAD.has(call.type) && record[field] === undefined) throw new InvalidCallError(name, `a ${call.type} call needs its '${field}' payload`);
  const stray = PAYLOAD_FIELDS.filter((f) => f !== field && record[f] !== undefined);
  if (stray.length > 0) throw new InvalidCallError(name, `a ${call.type} call may not carry ${stray.join(', ')}`);
  if (call.type !== 'SUBSCRIBE' && call.framework_id === undefined) throw new InvalidCallError(name, 'framework_id is required');
  if (call.accept !== undefined) {
    checkOfferIds(name, call.accept.offer_ids);
    checkFilters(name, call.accept.filters);
    checkOperations(name, call.accept.operations);
  }
  if (call.decline !== undefined) {
    checkOfferIds(name, call.decline.offer_ids);
    checkFilters(name, call.decline.filters);
  }
  if (call.acknowledge !== undefined && call.acknowledge.uuid.length === 0) throw new InvalidCallError(name, 'uuid is empty');
  return call;
}

function checkOfferIds(name: CallType, ids: readonly Id[]): void {
  if (ids.length === 0) throw new InvalidCallError(name, 'offer_ids is empty: name at least one offer');
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id.value)) throw new InvalidCallError(name, `offer ${id.value} is named twice`);
    seen.add(id.value);
  }
}

function checkFilters(name: CallType, filters: Filters | undefined): void {
  const seconds = filters?.refuse_seconds;
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds >= 0)) {
    throw new InvalidCallError(name, `filters.refuse_seconds must be a finite number >= 0, got ${seconds}`);
  }
}

function checkOperations(name: CallType, operations: readonly Operation[]): void {
  const taskIds = new Set<string>();
  operations.forEach((op, i) => {
    const field = payloadField(op.type);
    if ((op as unknown as Record<string, unknown>)[field] === undefined) {
      throw new InvalidCallError(name, `operations[${i}] is ${op.type} but has no '${field}' payload`);
    }
    const tasks = op.launch?.task_infos ?? op.launch_group?.task_group.tasks ?? [];
    for (const task of tasks) {
      if (taskIds.has(task.task_id.value)) throw new InvalidCallError(name, `task ${task.task_id.value} is launched twice`);
      taskIds.add(task.task_id.value);
    }
  });
}
