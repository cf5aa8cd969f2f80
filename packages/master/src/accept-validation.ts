import { Resources, type Messages, type Operation, type TaskInfo, type TaskState } from '@tessera/protocol';

type Accept = NonNullable<Messages['scheduler.Call']['accept']>;

/** An outstanding offer as the master keeps it. */
export interface OfferRecord {
  id: string;
  frameworkId: string;
  agentId: string;
  /** With allocation info, as sent. */
  resources: Resources;
}

/** What validation needs to know about the framework and the cluster. */
export interface AcceptContext {
  frameworkId: string;
  roles: ReadonlySet<string>;
  offers: ReadonlyMap<string, OfferRecord>;
  /** True when the framework already has a live task with this id. */
  taskIdInUse(taskId: string): boolean;
}

/** A task the master refuses, with the status it reports for it (Mesos's states and reasons). */
export interface TaskRefusal {
  task: TaskInfo;
  state: Extract<TaskState, 'TASK_ERROR' | 'TASK_DROPPED'>;
  reason: 'REASON_TASK_INVALID' | 'REASON_TASK_GROUP_INVALID' | 'REASON_INVALID_OFFERS';
  message: string;
}

/** The outcome of validating one ACCEPT: what may go ahead, and what is refused and why. */
export interface AcceptVerdict {
  /** The offers used up by this call (they are gone whether or not tasks launch). */
  offers: OfferRecord[];
  agentId: string | undefined;
  /** Operations that passed, in order, each with the tasks it launches. */
  accepted: { operation: Operation; tasks: TaskInfo[] }[];
  refused: TaskRefusal[];
  /** Errors of operations that launch no task (RESERVE, UNRESERVE). */
  operationErrors: string[];
  /** Offered resources left unused: given back, with the call's filter. */
  unused: Resources;
}

const TASK_ID = /^[^/\s]+$/;

/**
 * Validates an ACCEPT before anything changes, as Mesos's master does: first the offers (known,
 * this framework's, all on one agent, each used once), then each operation in order against what
 * the offers have left. A refused task gets TASK_ERROR naming the problem; tasks of an ACCEPT
 * whose offers are invalid get TASK_DROPPED with REASON_INVALID_OFFERS.
 */
export function validateAccept(accept: Accept, context: AcceptContext): AcceptVerdict {
  const verdict: AcceptVerdict = { offers: [], agentId: undefined, accepted: [], refused: [], operationErrors: [], unused: Resources.EMPTY };
  const offerProblem = checkOffers(accept, context, verdict);
  if (offerProblem !== undefined) {
    for (const task of tasksOf(accept.operations)) verdict.refused.push({ task, state: 'TASK_DROPPED', reason: 'REASON_INVALID_OFFERS', message: offerProblem });
    verdict.offers = [];
    return verdict;
  }
  let left = verdict.offers.reduce((sum, o) => sum.add(o.resources), Resources.EMPTY);
  const seen = new Set<string>();
  for (const operation of accept.operations) {
    const tasks = operation.type === 'LAUNCH' ? operation.launch?.task_infos ?? [] : operation.type === 'LAUNCH_GROUP' ? operation.launch_group?.task_group.tasks ?? [] : [];
    if (operation.type === 'RESERVE' || operation.type === 'UNRESERVE') {
      const problem = checkReservation(operation, left, context);
      if (problem === undefined) {
        // Later operations of the same call see the conversion: reserve, then launch on it.
        const named = Resources.of(operation.type === 'RESERVE' ? operation.reserve!.resources : operation.unreserve!.resources);
        left = operation.type === 'RESERVE' ? left.subtract(unreservedTwin(named)).add(named) : left.subtract(named).add(unreservedTwin(named));
        verdict.accepted.push({ operation, tasks: [] });
      } else verdict.operationErrors.push(problem);
      continue;
    }
    const launching: TaskInfo[] = [];
    let groupProblem: string | undefined;
    for (const task of tasks) {
      const problem = checkTask(task, context, verdict.agentId!, seen, left);
      if (problem === undefined) {
        seen.add(task.task_id.value);
        left = left.subtract(Resources.of(task.resources));
        launching.push(task);
      } else if (operation.type === 'LAUNCH') {
        verdict.refused.push({ task, state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', message: problem });
      } else groupProblem ??= `task '${task.task_id.value}': ${problem}`;
    }
    if (operation.type === 'LAUNCH_GROUP' && (groupProblem !== undefined || tasks.length === 0)) {
      // A task group launches whole or not at all.
      const message = groupProblem ?? 'the task group is empty';
      for (const task of tasks) verdict.refused.push({ task, state: 'TASK_ERROR', reason: 'REASON_TASK_GROUP_INVALID', message });
      for (const task of launching) left = left.add(Resources.of(task.resources));
      continue;
    }
    if (launching.length > 0) verdict.accepted.push({ operation, tasks: launching });
  }
  verdict.unused = left;
  return verdict;
}

function tasksOf(operations: readonly Operation[]): TaskInfo[] {
  return operations.flatMap((o) => o.launch?.task_infos ?? o.launch_group?.task_group.tasks ?? []);
}

function checkOffers(accept: Accept, context: AcceptContext, verdict: AcceptVerdict): string | undefined {
  if (accept.offer_ids.length === 0) return 'no offers given';
  const ids = new Set<string>();
  for (const { value } of accept.offer_ids) {
    if (ids.has(value)) return `offer ${value} is given twice`;
    ids.add(value);
    const offer = context.offers.get(value);
    if (offer === undefined) return `offer ${value} is no longer valid (unknown, used, declined or rescinded)`;
    if (offer.frameworkId !== context.frameworkId) return `offer ${value} belongs to another framework`;
    if (verdict.agentId !== undefined && offer.agentId !== verdict.agentId) return `offers ${[...ids].join(', ')} are on different agents`;
    verdict.agentId = offer.agentId;
    verdict.offers.push(offer);
  }
  return undefined;
}

function checkTask(task: TaskInfo, context: AcceptContext, agentId: string, seen: Set<string>, left: Resources): string | undefined {
  const id = task.task_id.value;
  if (!TASK_ID.test(id) || id === '.' || id === '..') return `task id '${id}' is not valid: no '/', no white space, not '.' or '..'`;
  if (seen.has(id) || context.taskIdInUse(id)) return `task id '${id}' is already in use`;
  if (task.agent_id.value !== agentId) return `task is for agent ${task.agent_id.value}, but the offers are on ${agentId}`;
  if ((task.command === undefined) === (task.executor === undefined)) return 'a task needs a command or an executor (one of them, not both)';
  if (task.command !== undefined && task.command.shell !== false && (task.command.value ?? '').trim() === '') return 'the command is empty';
  if (task.command?.shell === false && (task.command.value ?? '') === '') return 'the command names no executable';
  let resources: Resources;
  try {
    resources = Resources.of(task.resources);
  } catch (err) {
    return `invalid resources: ${(err as Error).message}`;
  }
  if (resources.isEmpty()) return 'the task asks for no resources';
  for (const r of task.resources) {
    const role = r.allocation_info?.role;
    if (role === undefined) return `resource ${r.name} has no allocation_info (the role it is used in)`;
    if (!context.roles.has(role)) return `resource ${r.name} is allocated to role '${role}', which the framework does not hold`;
  }
  if (!left.contains(resources)) return `the task uses ${readable(resources)}, more than the offers have left (${readable(left)})`;
  return undefined;
}

function checkReservation(operation: Operation, left: Resources, context: AcceptContext): string | undefined {
  const wire = operation.type === 'RESERVE' ? operation.reserve?.resources : operation.unreserve?.resources;
  if (wire === undefined || wire.length === 0) return `${operation.type} names no resources`;
  let resources: Resources;
  try {
    resources = Resources.of(wire);
  } catch (err) {
    return `${operation.type}: invalid resources: ${(err as Error).message}`;
  }
  for (const r of wire) {
    const role = r.reservations?.[r.reservations.length - 1]?.role;
    if (role === undefined) return `${operation.type}: resource ${r.name} names no reservation`;
    if (!context.roles.has(r.allocation_info?.role ?? '')) return `${operation.type}: resource ${r.name} is not allocated to a role the framework holds`;
  }
  const needed = operation.type === 'RESERVE' ? unreservedTwin(resources) : resources;
  if (!left.contains(needed)) return `${operation.type}: ${readable(needed)} is not in what the offers have left (${readable(left)})`;
  return undefined;
}

/** The unreserved resources a RESERVE turns into `reserved`. */
export function unreservedTwin(reserved: Resources): Resources {
  return Resources.of(reserved.toJSON().map(({ reservations: _r, role: _role, ...rest }) => rest));
}

/** Resources in the flag syntax, without the allocation info every offered resource carries. */
function readable(resources: Resources): string {
  return resources.withoutAllocation().toString();
}
