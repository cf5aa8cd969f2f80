import type { AgentRecord, FrameworkRecord, StateObserver, TaskRecord } from '../master-state.js';
import type { OperatorEvents } from './operator-events.js';
import type { OperatorSources } from './operator-host.js';
import { v1Agent, v1Framework } from './operator-v1.js';

/**
 * Where the master's parts say what changed, for the SUBSCRIBE feed: the one place operator events
 * are built (TASK_ADDED, TASK_UPDATED, AGENT_ADDED, AGENT_REMOVED, FRAMEWORK_*). Tasks are
 * observed on MasterState itself, so that every path that adds or updates a task is heard.
 */
export class MasterEvents implements StateObserver {
  constructor(private readonly events: OperatorEvents, private readonly sources: OperatorSources) {}

  taskAdded(record: TaskRecord): void {
    this.events.emit(() => ({ type: 'TASK_ADDED', task_added: { task: record.task } }));
  }

  taskUpdated(record: TaskRecord): void {
    const status = record.latest;
    if (status === undefined) return;
    this.events.emit(() => ({
      type: 'TASK_UPDATED',
      task_updated: {
        framework_id: record.task.framework_id,
        agent_id: record.task.agent_id,
        ...(record.task.executor_id === undefined ? {} : { executor_id: record.task.executor_id }),
        state: record.task.state,
        status,
      },
    }));
  }

  agentAdded(agent: AgentRecord): void {
    this.events.emit(() => ({ type: 'AGENT_ADDED', agent_added: { agent: v1Agent(this.sources, agent) } }));
  }

  agentRemoved(agentId: string): void {
    this.events.emit(() => ({ type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: agentId } } }));
  }

  frameworkAdded(framework: FrameworkRecord): void {
    this.events.emit(() => ({ type: 'FRAMEWORK_ADDED', framework_added: { framework: v1Framework(this.sources, framework) } }));
  }

  frameworkUpdated(framework: FrameworkRecord): void {
    this.events.emit(() => ({ type: 'FRAMEWORK_UPDATED', framework_updated: { framework: v1Framework(this.sources, framework) } }));
  }

  frameworkRemoved(framework: FrameworkRecord): void {
    this.events.emit(() => ({ type: 'FRAMEWORK_REMOVED', framework_removed: { framework_info: framework.info } }));
  }
}
