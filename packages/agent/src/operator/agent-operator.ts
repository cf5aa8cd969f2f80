import path from 'node:path';
import { TERMINAL_TASK_STATES, type AgentInfo, type Resource } from '@tessera/protocol';
import type { AgentState, ExecutorRun } from '../agent-state.js';
import { frameworkView, taskView, type AgentStateView, type ExecutorView, type FrameworkView, type TaskView } from './agent-views.js';
import type { CompletedExecutor, CompletedHistory } from './completed-history.js';
import { resourceMap } from '@tessera/protocol';
import type { IsolationView } from '../isolation/registry.js';
import type { ContainerUsage } from '../isolation/isolator.js';
import { agentMetrics, type AgentMetricsInput } from './agent-metrics.js';

/** What the operator reads of the agent actor (getters: the values change as it runs). */
export interface AgentOperatorSource {
  readonly pid: string;
  readonly info: AgentInfo;
  readonly state: AgentState;
  readonly history: CompletedHistory;
  /** The master the agent follows now. */
  readonly masterPid: string | undefined;
  readonly version: string;
  /** Seconds since the epoch. */
  readonly startTime: number;
  readonly workDir: string;
  readonly flags: Record<string, string>;
  /** The isolation the agent applies (isolators, launcher, what the host has). */
  readonly isolation?: IsolationView;
  /** What a run's container uses now, as its isolators measure it (cgroups, disk/du). */
  usage?(run: ExecutorRun): ContainerUsage;
  /** The agent's parts that keep counts (isolators, fetcher, sandbox GC), and whether it is registered, for /metrics/snapshot. */
  metricParts?(): Pick<AgentMetricsInput, 'registered' | 'isolators' | 'fetcher' | 'collector'>;
}

/** One executor run to measure: where its processes live and what it may use. */
export interface ContainerRef {
  framework_id: string;
  executor_id: string;
  executor_name: string;
  source: string;
  directory: string;
  mem_limit_bytes?: number;
  cpus_limit?: number;
  /** Its isolators' figures, preferred to /proc's (a cgroup counts every process of the container). */
  usage?: ContainerUsage;
}

/**
 * The agent's operator views (Mesos's agent `/state` and what `/monitor/statistics` and `/files`
 * need to know). Every method reads the agent's state, so it runs inside the agent's mailbox
 * (`runtime.dispatch(agent.pid, () => agent.operator.x())`) and does no I/O: reading /proc and
 * files happens outside, from what these return.
 */
export class AgentOperator {
  constructor(private readonly source: AgentOperatorSource) {}

  /** The agent's state.json. */
  state(): AgentStateView {
    const { source } = this;
    const info = source.info;
    const agentId = info.id?.value ?? '';
    const live = source.state.frameworkIds();
    const frameworks = live.map((id) => this.framework(id, agentId)).filter((f): f is FrameworkView => f !== undefined);
    const completed = source.history.frameworkInfos()
      .filter((f) => f.id !== undefined && !live.includes(f.id.value))
      .map((f) => ({ ...frameworkView(f, info.hostname), executors: [], completed_executors: this.completedExecutors(f.id!.value, agentId) }));
    const view: AgentStateView = {
      version: source.version,
      start_time: source.startTime,
      id: info.id?.value ?? null,
      pid: source.pid,
      hostname: info.hostname,
      resources: resourceMap(info.resources),
      attributes: Object.fromEntries((info.attributes ?? []).map((a) => [a.name, attributeValue(a)])),
      master_pid: source.masterPid ?? null,
      flags: source.flags,
      frameworks,
      completed_frameworks: completed,
    };
    if (info.port !== undefined) view.port = info.port;
    if (source.isolation !== undefined) view.isolation = source.isolation;
    return view;
  }

  /** The live executor runs, for /monitor/statistics. */
  containers(): ContainerRef[] {
    return this.source.state.runs().map((run) => {
      const resources = runResources(run, this.source.state);
      const ref: ContainerRef = {
        framework_id: run.frameworkId, executor_id: run.executorId, executor_name: run.info.name ?? '', source: run.executorId, directory: run.directory,
      };
      const mem = scalar(resources, 'mem');
      const cpus = scalar(resources, 'cpus');
      if (mem > 0) ref.mem_limit_bytes = mem * 1024 * 1024;
      if (cpus > 0) ref.cpus_limit = cpus;
      const usage = this.source.usage?.(run);
      if (usage !== undefined && Object.keys(usage).length > 0) ref.usage = usage;
      return ref;
    });
  }

  /** The agent's `/metrics/snapshot` at `nowSecs` (seconds since the epoch). */
  metrics(nowSecs: number): Record<string, number> {
    const { state } = this.source;
    const runs = state.runs();
    return agentMetrics({
      state,
      registered: false,
      isolators: [],
      ...this.source.metricParts?.(),
      uptimeSecs: Math.max(0, nowSecs - this.source.startTime),
      total: this.source.info.resources,
      used: runs.flatMap((run) => runResources(run, state)),
      usage: runs.map((run) => this.source.usage?.(run) ?? {}),
    });
  }

  /**
   * The directory holding every sandbox of this agent (`<work_dir>/agents/<id>/frameworks`), or
   * undefined before it registered (it has no sandbox then).
   */
  sandboxesRoot(): string | undefined {
    const id = this.source.info.id?.value;
    return id === undefined ? undefined : path.join(this.source.workDir, 'agents', id, 'frameworks');
  }

  private framework(frameworkId: string, agentId: string): FrameworkView | undefined {
    const info = this.source.state.frameworkInfo(frameworkId);
    if (info === undefined) return undefined;
    const executors = this.source.state.runs().filter((r) => r.frameworkId === frameworkId).map((run) => this.executor(run, agentId));
    return { ...frameworkView(info, this.source.info.hostname), executors, completed_executors: this.completedExecutors(frameworkId, agentId) };
  }

  private executor(run: ExecutorRun, agentId: string): ExecutorView {
    const tasks = this.source.state.tasks(run.frameworkId).filter((t) => t.executorId === run.executorId);
    const view = (t: (typeof tasks)[number]): TaskView => taskView(t, agentId);
    return {
      id: run.executorId,
      name: run.info.name ?? '',
      source: run.executorId,
      container: run.runId,
      directory: run.directory,
      resources: resourceMap(runResources(run, this.source.state)),
      tasks: tasks.filter((t) => !t.queued && !TERMINAL_TASK_STATES.has(t.state)).map(view),
      queued_tasks: tasks.filter((t) => t.queued).map(view),
      completed_tasks: [...this.source.history.completedTasks(run.frameworkId, run.executorId), ...tasks.filter((t) => TERMINAL_TASK_STATES.has(t.state)).map(view)],
    };
  }

  private completedExecutors(frameworkId: string, agentId: string): ExecutorView[] {
    const tracked = this.source.state.tasks(frameworkId);
    return this.source.history.completedExecutors(frameworkId).map((executor: CompletedExecutor) => ({
      ...executor,
      resources: resourceMap(executor.resources),
      tasks: [],
      queued_tasks: [],
      completed_tasks: [
        ...this.source.history.completedTasks(frameworkId, executor.id),
        // Tasks whose executor ended before their terminal update was acknowledged.
        ...tracked.filter((t) => t.executorId === executor.id && this.source.state.executor(frameworkId, executor.id) === undefined).map((t) => taskView(t, agentId)),
      ],
    }));
  }
}

/** The executor's own resources plus its tasks', as Mesos counts a container's. */
function runResources(run: ExecutorRun, state: AgentState): Resource[] {
  const tasks = [...run.taskIds].map((id) => state.task(run.frameworkId, id)).filter((t) => t !== undefined);
  return [...(run.info.resources ?? []), ...tasks.flatMap((t) => t.info.resources)];
}

function scalar(list: Resource[], name: string): number {
  return list.filter((r) => r.name === name && r.type === 'SCALAR').reduce((sum, r) => sum + (r.scalar?.value ?? 0), 0);
}

function attributeValue(attribute: NonNullable<AgentInfo['attributes']>[number]): string | number {
  if (attribute.scalar !== undefined) return attribute.scalar.value;
  if (attribute.text !== undefined) return attribute.text.value;
  if (attribute.ranges !== undefined) return `[${attribute.ranges.range.map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
  if (attribute.set !== undefined) return `{${attribute.set.item.join(', ')}}`;
  return '';
}
