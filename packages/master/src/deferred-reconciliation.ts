import type { Id } from '@tessera/protocol';
import { toFramework, type MasterContext } from './master-context.js';
import type { FrameworkRecord } from './master-state.js';
import { reconcile } from './reconciliation.js';

type Asked = { task_id: Id; agent_id?: Id };

/**
 * Reconciliation while a new leader waits for its agents to re-register. Mesos answers TASK_LOST
 * for a task on an agent that has not re-registered yet (MESOS-6250), which a framework may act
 * on wrongly. Here a task the master does not know yet is answered only once its agent (or, when
 * the ask names no agent, every recovering agent) has re-registered or been found unreachable.
 * An implicit reconciliation is answered at once for the tasks known, and again for each agent's
 * tasks as the agent re-registers.
 */
export class DeferredReconciliation {
  private explicit: { frameworkId: string; asked: Asked }[] = [];
  private readonly implicit = new Set<string>();

  constructor(private readonly context: MasterContext) {}

  reconcile(framework: FrameworkRecord, asked: readonly Asked[]): void {
    const { state } = this.context;
    const now: Asked[] = [];
    for (const ask of asked) {
      if (this.mustWait(framework, ask)) this.explicit.push({ frameworkId: framework.id, asked: ask });
      else now.push(ask);
    }
    if (asked.length === 0) {
      this.answer(framework, reconcile(state, framework, [], this.context.now() / 1000));
      if (state.recovering.size > 0) this.implicit.add(framework.id);
    } else if (now.length > 0) {
      this.answer(framework, reconcile(state, framework, now, this.context.now() / 1000));
    }
  }

  /** A recovering agent re-registered or was found unreachable. */
  agentSettled(agentId: string): void {
    const { state } = this.context;
    const waiting = this.explicit;
    this.explicit = [];
    for (const { frameworkId, asked } of waiting) {
      const framework = state.frameworks.get(frameworkId);
      if (framework === undefined) continue;
      if (this.mustWait(framework, asked)) this.explicit.push({ frameworkId, asked });
      else this.answer(framework, reconcile(state, framework, [asked], this.context.now() / 1000));
    }
    const agent = state.agents.get(agentId);
    for (const frameworkId of this.implicit) {
      const framework = state.frameworks.get(frameworkId);
      if (framework === undefined || agent === undefined) continue;
      const onAgent = state.tasksOnAgent(agent, frameworkId).map((record) => ({ task_id: record.task.task_id, agent_id: { value: agentId } }));
      if (onAgent.length > 0) this.answer(framework, reconcile(state, framework, onAgent, this.context.now() / 1000));
    }
    if (state.recovering.size === 0) this.implicit.clear();
  }

  private mustWait(framework: FrameworkRecord, ask: Asked): boolean {
    const { state } = this.context;
    if (state.recovering.size === 0 || framework.tasks.has(ask.task_id.value)) return false;
    return ask.agent_id === undefined || state.recovering.has(ask.agent_id.value);
  }

  private answer(framework: FrameworkRecord, statuses: ReturnType<typeof reconcile>): void {
    for (const status of statuses) toFramework(this.context, framework, { type: 'UPDATE', update: { status } });
  }
}
