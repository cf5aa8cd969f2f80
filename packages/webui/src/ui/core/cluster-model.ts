/**
 * What the UI knows of the cluster: seeded from one GET /state, then kept current by the
 * SUBSCRIBE stream's events (its SUBSCRIBED replaces everything, as a reconnect must).
 * Pure: no fetch, no DOM, so the tests drive it with recorded JSON.
 */
import {
  agentFromV0, agentFromV1, frameworkFromV0, frameworkFromV1, idOf, taskFromV0, taskFromV1, taskKey,
  type AgentRecord, type FrameworkRecord, type TaskRecord,
} from './entities.js';

export interface MasterSummary {
  id: string;
  hostname: string;
  version: string;
  /** The leader's pid, e.g. `master@master`. */
  leader: string;
  startTime?: number;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Json : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export class ClusterModel {
  master: MasterSummary = { id: '', hostname: '', version: '', leader: '' };
  readonly agents = new Map<string, AgentRecord>();
  readonly frameworks = new Map<string, FrameworkRecord>();
  /** Keyed by `taskKey(frameworkId, taskId)`: task ids are unique only within a framework. */
  readonly tasks = new Map<string, TaskRecord>();
  /** Grows by one with every change, so a page can tell whether to draw again. */
  revision = 0;

  /** Replaces everything with a v0 `/state` body. */
  loadState(state: unknown): void {
    const s = obj(state);
    const leaderInfo = obj(s['leader_info']);
    this.master = {
      id: typeof s['id'] === 'string' ? s['id'] : '',
      hostname: typeof s['hostname'] === 'string' ? s['hostname'] : typeof leaderInfo['hostname'] === 'string' ? leaderInfo['hostname'] : '',
      version: typeof s['version'] === 'string' ? s['version'] : '',
      leader: typeof s['leader'] === 'string' ? s['leader'] : '',
      ...(typeof s['start_time'] === 'number' ? { startTime: s['start_time'] } : {}),
    };
    this.clear();
    for (const slave of list(s['slaves'])) this.putAgent(agentFromV0(slave));
    for (const [field, completed] of [['frameworks', false], ['completed_frameworks', true]] as const) {
      for (const framework of list(s[field])) {
        this.putFramework(frameworkFromV0(framework, completed));
        const f = obj(framework);
        for (const task of [...list(f['tasks']), ...list(f['completed_tasks'])]) this.putTask(taskFromV0(task));
      }
    }
    this.revision += 1;
  }

  /**
   * Applies one SUBSCRIBE event (v1 JSON). Answers whether anything changed; unknown event types
   * change nothing, so a newer master does not break an older page.
   */
  applyEvent(event: unknown): boolean {
    const e = obj(event);
    switch (e['type']) {
      case 'SUBSCRIBED': this.loadV1State(obj(obj(e['subscribed'])['get_state'])); break;
      case 'TASK_ADDED': this.putTask(taskFromV1(obj(e['task_added'])['task'])); break;
      case 'TASK_UPDATED': if (!this.updateTask(obj(e['task_updated']))) return false; break;
      case 'AGENT_ADDED': this.putAgent(agentFromV1(obj(e['agent_added'])['agent'])); break;
      case 'AGENT_REMOVED': if (!this.agents.delete(idOf(obj(e['agent_removed'])['agent_id']))) return false; break;
      case 'FRAMEWORK_ADDED': this.putFramework(frameworkFromV1(obj(e['framework_added'])['framework'], false)); break;
      case 'FRAMEWORK_UPDATED': this.putFramework(frameworkFromV1(obj(e['framework_updated'])['framework'], false)); break;
      case 'FRAMEWORK_REMOVED': if (!this.removeFramework(idOf(obj(obj(e['framework_removed'])['framework_info'])['id']))) return false; break;
      default: return false;
    }
    this.revision += 1;
    return true;
  }

  /** The task's agent, when the master still knows it. */
  agentOf(task: TaskRecord): AgentRecord | undefined {
    return this.agents.get(task.agentId);
  }

  private loadV1State(state: Json): void {
    this.clear();
    const agents = obj(state['get_agents']);
    for (const agent of list(agents['agents'])) this.putAgent(agentFromV1(agent));
    const frameworks = obj(state['get_frameworks']);
    for (const framework of list(frameworks['frameworks'])) this.putFramework(frameworkFromV1(framework, false));
    for (const framework of list(frameworks['completed_frameworks'])) this.putFramework(frameworkFromV1(framework, true));
    const tasks = obj(state['get_tasks']);
    for (const field of ['pending_tasks', 'tasks', 'unreachable_tasks', 'completed_tasks', 'orphan_tasks']) {
      for (const task of list(tasks[field])) this.putTask(taskFromV1(task));
    }
  }

  private updateTask(update: Json): boolean {
    const status = obj(update['status']);
    const key = taskKey(idOf(update['framework_id']), idOf(status['task_id']));
    const task = this.tasks.get(key);
    if (task === undefined) return false;
    // `state` is the task's latest state; the status may be an older one still being retried.
    const state = typeof update['state'] === 'string' ? update['state'] : typeof status['state'] === 'string' ? status['state'] : task.state;
    const timestamp = status['timestamp'];
    this.tasks.set(key, { ...task, state, ...(typeof timestamp === 'number' ? { updatedTime: timestamp } : {}) });
    return true;
  }

  private removeFramework(id: string): boolean {
    const framework = this.frameworks.get(id);
    if (framework === undefined) return false;
    this.frameworks.set(id, { ...framework, active: false, connected: false, completed: true });
    return true;
  }

  private putAgent(agent: AgentRecord): void {
    if (agent.id !== '') this.agents.set(agent.id, agent);
  }

  private putFramework(framework: FrameworkRecord): void {
    if (framework.id !== '') this.frameworks.set(framework.id, framework);
  }

  private putTask(task: TaskRecord): void {
    if (task.id !== '') this.tasks.set(taskKey(task.frameworkId, task.id), task);
  }

  private clear(): void {
    this.agents.clear();
    this.frameworks.clear();
    this.tasks.clear();
  }
}
