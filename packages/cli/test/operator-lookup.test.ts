import { expect } from 'chai';
import { drainAgent, updateQuota, updateWeights } from '../src/operator-client/calls.js';
import { liveTasksOn } from '../src/operator-client/drain-progress.js';
import { OperatorError } from '../src/operator-client/errors.js';
import { lastLines } from '../src/operator-client/sandbox-files.js';
import { locateAgent, locateFramework, locateTask, sandboxOf } from '../src/operator-client/task-lookup.js';
import type { MasterState, TaskView } from '../src/operator-client/view-types.js';
import { agentRows } from '../src/commands/agents-command.js';
import { taskRows } from '../src/commands/ps-command.js';

function task(id: string, frameworkId: string, agentId: string, state = 'TASK_RUNNING'): TaskView {
  return { id, name: `name-${id}`, framework_id: frameworkId, slave_id: agentId, state, resources: { cpus: 0.5, mem: 64 } };
}

/** Two agents, a live framework with two tasks and a finished one, and an ended framework. */
const STATE: MasterState = {
  slaves: [
    { id: 'A1', hostname: 'host-1', port: 5051, resources: { cpus: 4, mem: 4096 }, used_resources: { cpus: 1, mem: 128 } },
    { id: 'A2', hostname: 'host-2', port: 5052, resources: { cpus: 2, mem: 1024 }, active: false },
  ],
  frameworks: [{
    id: 'F1', name: 'web', active: true,
    tasks: [task('web-1', 'F1', 'A1'), task('web-2', 'F1', 'A1', 'TASK_STAGING')],
    completed_tasks: [task('batch-1', 'F1', 'A2', 'TASK_FINISHED')],
  }],
  completed_frameworks: [{ id: 'F0', name: 'old', active: false, tasks: [], completed_tasks: [task('old-1', 'F0', 'A2', 'TASK_KILLED')] }],
};

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(OperatorError);
    return (err as Error).message;
  }
  throw new Error('expected a failure');
}

describe('operator lookups and rows', () => {
  it('finds a task by id or unique prefix, with its framework and agent', () => {
    const found = locateTask(STATE, 'batch');
    expect([found.task.id, found.framework.id, found.agent.hostname, found.live]).to.deep.equal(['batch-1', 'F1', 'host-2', false]);
    expect(locateTask(STATE, 'web-1').live).to.equal(true);
    expect(failure(() => locateTask(STATE, 'web'))).to.equal("'web' names 2 tasks: F1/web-1, F1/web-2");
    expect(failure(() => locateTask(STATE, 'nope'))).to.equal("no task 'nope' on this master");
  });

  it('finds the sandbox of a task among the agent\'s live and completed executors', () => {
    const agentState = {
      id: 'A1',
      frameworks: [{ id: 'F1', executors: [{ id: 'web-1', directory: '/sb/web-1', tasks: [{ id: 'web-1' }] }], completed_executors: [{ id: 'e0', directory: '/sb/e0', completed_tasks: [{ id: 'batch-1' }] }] }],
    };
    expect(sandboxOf(agentState, 'F1', 'web-1')).to.equal('/sb/web-1');
    expect(sandboxOf(agentState, 'F1', 'batch-1')).to.equal('/sb/e0');
    expect(failure(() => sandboxOf(agentState, 'F2', 'web-1'))).to.contain("agent A1 has no sandbox for task 'web-1' (framework F2)");
  });

  it('finds agents by id or hostname and frameworks by id or name', () => {
    expect(locateAgent(STATE, 'host-2').id).to.equal('A2');
    expect(locateAgent(STATE, 'A1').hostname).to.equal('host-1');
    expect(failure(() => locateAgent(STATE, 'host-9'))).to.equal("no agent 'host-9' on this master (see tessera agents)");
    expect(locateFramework(STATE, 'web').id).to.equal('F1');
    expect(failure(() => locateFramework(STATE, 'F0'))).to.equal("framework 'F0' has already ended");
  });

  it('lists live tasks for ps, completed ones with --all, filtered by framework name and state', () => {
    expect(taskRows(STATE, {}).map((r) => r.id)).to.deep.equal(['web-1', 'web-2']);
    expect(taskRows(STATE, { all: true }).map((r) => r.id)).to.deep.equal(['web-1', 'web-2', 'batch-1', 'old-1']);
    expect(taskRows(STATE, { all: true, framework: 'old' }).map((r) => r.id)).to.deep.equal(['old-1']);
    expect(taskRows(STATE, { state: 'TASK_STAGING' })).to.deep.equal([
      { framework: 'web', framework_id: 'F1', id: 'web-2', name: 'name-web-2', state: 'TASK_STAGING', agent: 'host-1', agent_id: 'A1', cpus: 0.5, mem: 64 },
    ]);
  });

  it('shows agents with used of total and their live task count', () => {
    expect(agentRows(STATE).map((r) => [r.id, r.active, r.tasks, r.cpus, r.mem])).to.deep.equal([['A1', true, 2, '1/4', '128/4096'], ['A2', false, 0, '0/2', '0/1024']]);
  });

  it('counts the tasks left on a draining agent, undefined once it is gone', () => {
    expect(liveTasksOn(STATE, 'A1')).to.equal(2);
    expect(liveTasksOn(STATE, 'A2')).to.equal(0);
    expect(liveTasksOn(STATE, 'A3')).to.equal(undefined);
  });

  it('keeps the last lines of a file, asking for more when the window may start mid-line', () => {
    expect(lastLines('a\nb\nc\n', 2, false)).to.equal('b\nc\n');
    expect(lastLines('a\nb\nc', 2, false)).to.equal('b\nc');
    expect(lastLines('partial\nb\n', 2, false)).to.equal(undefined);
    expect(lastLines('whole\nb\n', 2, true)).to.equal('whole\nb\n');
    expect(lastLines('a\n', 0, true)).to.equal('');
  });

  it('builds operator calls in Mesos\'s v1 JSON form', () => {
    expect(updateWeights({ eng: 2 })).to.deep.equal({ type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'eng', weight: 2 }] } });
    expect(updateQuota({ role: 'eng', guarantees: {}, limits: { cpus: { value: 4 } } })).to.deep.equal({
      type: 'UPDATE_QUOTA', update_quota: { force: false, quota_configs: [{ role: 'eng', guarantees: {}, limits: { cpus: { value: 4 } } }] },
    });
    expect(drainAgent('A1', { graceSeconds: 1.5, markGone: true })).to.deep.equal({
      type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: 'A1' }, max_grace_period: { nanoseconds: 1_500_000_000 }, mark_gone: true },
    });
  });
});
