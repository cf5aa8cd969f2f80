import { Resources, type AgentInfo, type Id, type ExecutorInfo, type FrameworkInfo, type InverseOfferStatus, type MachineId, type MaintenanceSchedule, type QuotaConfig, type Task, type TaskInfo, type TaskStatus } from '@tessera/protocol';
import { agentLifecycle, type AgentLifecycleState } from './lifecycle/agent-lifecycle.js';
import { frameworkLifecycle, type FrameworkLifecycleState } from './lifecycle/framework-lifecycle.js';
import type { LifecycleSnapshot } from './lifecycle/table-machine.js';
import { applyTaskState, isTerminal, newTask, type TaskSnapshot } from './lifecycle/task-lifecycle.js';
import { OfferBook } from './offer-book.js';
import { TaskStorage, detached } from './task-storage.js';

/** A task the master tracks: the Mesos `Task` it reports, and its lifecycle. */
export interface TaskRecord {
  task: Task;
  lifecycle: TaskSnapshot;
  /** The latest status seen, answered on reconciliation. */
  latest: TaskStatus | undefined;
  /** The task's resources went back to the allocator (it ended, or its agent was removed). */
  released: boolean;
  /** The framework whose lists hold the task (it is told of the task's every change). */
  framework: FrameworkRecord;
}

export interface FrameworkRecord {
  id: string;
  /** `{ value: id }`, one object for every task of the framework. */
  ref: Id;
  /** With `id` set. */
  info: FrameworkInfo;
  /** The subscribed scheduler; undefined while disconnected. */
  pid: string | undefined;
  lifecycle: LifecycleSnapshot<FrameworkLifecycleState>;
  roles: Set<string>;
  suppressedRoles: string[];
  tasks: Map<string, TaskRecord>;
  completedTasks: Task[];
  /**
   * Grows whenever a task of either list is added, changed or moved (only MasterState changes
   * them), so that a writer of the lists can keep what it wrote while the number stays the same.
   */
  tasksVersion: number;
  /** Custom executors by agent. */
  executors: Map<string, Map<string, ExecutorInfo>>;
  registeredAt: number;
  unregisteredAt: number | undefined;
}

export interface AgentRecord {
  id: string;
  /** `{ value: id }`, one object for every task on the agent. */
  ref: Id;
  /** With `id` set. */
  info: AgentInfo;
  pid: string;
  lifecycle: LifecycleSnapshot<AgentLifecycleState>;
  total: Resources;
  /** Tasks on the agent (a set: a `framework/task` key per task cost as much as the record). */
  tasks: Set<TaskRecord>;
  /**
   * Grows with every task added to or removed from `tasks` (a task's resources never change): /state
   * keeps an agent's JSON while it stays the same, instead of checking its tasks one by one.
   */
  tasksVersion: number;
  /** Pings sent since the last pong. */
  missedPings: number;
  registeredAt: number;
  unreachableAt: number | undefined;
  version: string;
}

/** Who hears of every task the state adds or updates (the operator's event feed). */
export interface StateObserver {
  taskAdded(record: TaskRecord): void;
  taskUpdated(record: TaskRecord): void;
}

/** A framework's roles; a framework that names none is in the default role `*`. */
export function rolesOf(info: FrameworkInfo): string[] {
  return info.roles !== undefined && info.roles.length > 0 ? [...new Set(info.roles)] : ['*'];
}

/**
 * Everything the master knows, with no I/O: frameworks (live and completed), agents, offers and
 * tasks, indexed both ways so that an event about any of them is answered without a scan.
 */
export class MasterState {
  readonly frameworks = new Map<string, FrameworkRecord>();
  readonly completedFrameworks: FrameworkRecord[] = [];
  readonly agents = new Map<string, AgentRecord>();
  readonly offers = new OfferBook();
  /** Agents of the registry a new leader waits for (lifecycle `recovered`). */
  readonly recovering = new Set<string>();
  /**
   * Agents the registry lists as unreachable or gone, by id, with when (epoch ms): known only by
   * id, until an unreachable one re-registers.
   */
  readonly unreachableAgents = new Map<string, number>();
  readonly goneAgents = new Map<string, number>();
  /** Role weights the operator set (stored in the registry); roles not here weigh 1. */
  readonly weights = new Map<string, number>();
  /** Role quotas the operator set (stored in the registry). */
  readonly quotas = new Map<string, QuotaConfig>();
  /** The operator's maintenance schedule (stored in the registry). */
  maintenance: MaintenanceSchedule = { windows: [] };
  /** Machines in maintenance that are DOWN, by machine key (`hostname/ip`). */
  readonly downMachines = new Map<string, MachineId>();
  /** Frameworks' answers to inverse offers, by machine key, then framework id. */
  readonly inverseOfferStatuses = new Map<string, Map<string, InverseOfferStatus>>();
  /** Agents the operator deactivated (or is draining): no offers from them. */
  readonly deactivatedAgents = new Set<string>();
  /** Told of every task added or updated; set by the master. */
  observer: StateObserver | undefined;
  private readonly frameworkByPid = new Map<string, string>();
  private readonly agentByPid = new Map<string, string>();
  private readonly storage = new TaskStorage();

  constructor(private readonly caps: { maxCompletedFrameworks: number; maxCompletedTasksPerFramework: number }) {}

  // ---- frameworks ----

  addFramework(info: FrameworkInfo & { id: { value: string } }, pid: string | undefined, now: number): FrameworkRecord {
    const record: FrameworkRecord = {
      id: info.id.value, ref: { value: info.id.value }, info, pid, lifecycle: frameworkLifecycle.start(), roles: new Set(rolesOf(info)), suppressedRoles: [],
      tasks: new Map(), completedTasks: [], tasksVersion: 0, executors: new Map(), registeredAt: now, unregisteredAt: undefined,
    };
    this.frameworks.set(record.id, record);
    if (pid !== undefined) this.frameworkByPid.set(pid, record.id);
    return record;
  }

  frameworkAt(pid: string): FrameworkRecord | undefined {
    const id = this.frameworkByPid.get(pid);
    return id === undefined ? undefined : this.frameworks.get(id);
  }

  isCompletedFramework(id: string): boolean {
    return this.completedFrameworks.some((f) => f.id === id);
  }

  /** Points the framework at a new scheduler pid (or none, when it disconnects). */
  setSchedulerPid(framework: FrameworkRecord, pid: string | undefined): void {
    if (framework.pid !== undefined && this.frameworkByPid.get(framework.pid) === framework.id) this.frameworkByPid.delete(framework.pid);
    framework.pid = pid;
    if (pid !== undefined) this.frameworkByPid.set(pid, framework.id);
  }

  /** Moves a torn-down framework to the completed list (capped). */
  completeFramework(framework: FrameworkRecord, now: number): void {
    this.setSchedulerPid(framework, undefined);
    this.frameworks.delete(framework.id);
    framework.unregisteredAt = now;
    this.completedFrameworks.push(framework);
    if (this.completedFrameworks.length > this.caps.maxCompletedFrameworks) this.completedFrameworks.shift();
  }

  // ---- agents ----

  addAgent(info: AgentInfo & { id: { value: string } }, pid: string, version: string, now: number): AgentRecord {
    const record: AgentRecord = {
      id: info.id.value, ref: { value: info.id.value }, info, pid, lifecycle: agentLifecycle.start(), total: Resources.of(info.resources),
      tasks: new Set(), tasksVersion: 0, missedPings: 0, registeredAt: now, unreachableAt: undefined, version,
    };
    this.agents.set(record.id, record);
    this.agentByPid.set(pid, record.id);
    return record;
  }

  agentAt(pid: string): AgentRecord | undefined {
    const id = this.agentByPid.get(pid);
    return id === undefined ? undefined : this.agents.get(id);
  }

  setAgentPid(agent: AgentRecord, pid: string): void {
    if (this.agentByPid.get(agent.pid) === agent.id) this.agentByPid.delete(agent.pid);
    agent.pid = pid;
    this.agentByPid.set(pid, agent.id);
  }

  /** True when the agent takes launches and gets offers. */
  isAgentUp(agent: AgentRecord | undefined): agent is AgentRecord {
    return agent !== undefined && agent.lifecycle.value === 'registered';
  }

  // ---- tasks ----

  /**
   * Records a task the master launches, in TASK_STAGING. Its framework and agent ids are theirs
   * (one object for all their tasks), its resources shared with every task asking the same.
   */
  addTask(framework: FrameworkRecord, agent: AgentRecord, info: TaskInfo, executorId: string | undefined): TaskRecord {
    const task: Task = {
      name: this.storage.text(info.name), task_id: this.storage.id(info.task_id), framework_id: framework.ref, agent_id: agent.ref,
      state: 'TASK_STAGING', resources: this.storage.resources(info.resources), statuses: [],
      ...(executorId === undefined ? {} : { executor_id: { value: detached(executorId) } }),
      ...(info.labels === undefined ? {} : { labels: info.labels }),
      ...(info.kill_policy === undefined ? {} : { kill_policy: info.kill_policy }),
    };
    return this.trackTask(framework, agent, task, newTask());
  }

  /** Records a task an agent reports (on re-registration), in the state it reports. */
  adoptTask(framework: FrameworkRecord, agent: AgentRecord, task: Task): TaskRecord {
    let lifecycle = newTask();
    const moved = applyTaskState(lifecycle, task.state);
    if (moved.ok) lifecycle = moved.snapshot;
    const kept: Task = { ...task, task_id: this.storage.id(task.task_id), framework_id: framework.ref, resources: this.storage.resources(task.resources) };
    if (task.agent_id.value === agent.id) kept.agent_id = agent.ref;
    kept.statuses = (task.statuses ?? []).map((status) => this.storage.status(kept, status));
    return this.trackTask(framework, agent, kept, lifecycle);
  }

  findTask(frameworkId: string, taskId: string): TaskRecord | undefined {
    return this.frameworks.get(frameworkId)?.tasks.get(taskId);
  }

  /**
   * Applies a status to the task it names; an illegal transition (a terminal task resurrected)
   * leaves the task as it was and says why.
   */
  updateTask(record: TaskRecord, status: TaskStatus): { ok: true; terminal: boolean } | { ok: false; error: string } {
    const moved = applyTaskState(record.lifecycle, status.state);
    if (!moved.ok) return moved;
    record.lifecycle = moved.snapshot;
    const kept = this.storage.status(record.task, status);
    record.task.state = kept.state;
    record.latest = kept;
    // A new array of exactly the statuses kept (the last 8): one grown by push holds 17 slots.
    const statuses = record.task.statuses ?? [];
    record.task.statuses = statuses.length < 8 ? [...statuses, kept] : [...statuses.slice(statuses.length - 7), kept];
    record.framework.tasksVersion++;
    this.observer?.taskUpdated(record);
    return { ok: true, terminal: isTerminal(moved.snapshot) };
  }

  /** Moves an ended task to its framework's completed list (capped). */
  completeTask(record: TaskRecord): void {
    const frameworkId = record.task.framework_id.value;
    const framework = this.frameworks.get(frameworkId);
    const agent = this.agents.get(record.task.agent_id.value);
    if (agent?.tasks.delete(record) === true) agent.tasksVersion++;
    if (framework === undefined) return;
    framework.tasks.delete(record.task.task_id.value);
    framework.completedTasks.push(record.task);
    framework.tasksVersion++;
    if (framework.completedTasks.length > this.caps.maxCompletedTasksPerFramework) framework.completedTasks.shift();
  }

  /** Every live task of the framework on the agent, or of any framework when none is named. */
  tasksOnAgent(agent: AgentRecord, frameworkId?: string): TaskRecord[] {
    const all = [...agent.tasks.values()];
    return frameworkId === undefined ? all : all.filter((t) => t.task.framework_id.value === frameworkId);
  }

  private trackTask(framework: FrameworkRecord, agent: AgentRecord, task: Task, lifecycle: TaskSnapshot): TaskRecord {
    const record: TaskRecord = { task, lifecycle, latest: undefined, released: false, framework };
    framework.tasks.set(task.task_id.value, record);
    framework.tasksVersion++;
    agent.tasks.add(record);
    agent.tasksVersion++;
    this.observer?.taskAdded(record);
    return record;
  }
}
