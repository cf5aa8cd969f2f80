import { expect } from 'chai';
import { decodeEnvelopes, encodeEnvelope, type TaskInfo, type TaskStatus } from '@tessera/protocol';
import { MasterState } from '../src/master-state.js';
import { TaskStorage, detached } from '../src/task-storage.js';

const cpusAndMem = (cpus: number): TaskInfo['resources'] => [
  { name: 'cpus', type: 'SCALAR', scalar: { value: cpus }, allocation_info: { role: '*' } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 128 }, allocation_info: { role: '*' } },
];

function taskInfo(id: string, cpus = 0.5): TaskInfo {
  return { name: `task ${id}`, task_id: { value: id }, agent_id: { value: 'agent-1' }, resources: cpusAndMem(cpus), command: { value: 'true' } };
}

function status(id: string, state: TaskStatus['state'], extra: Partial<TaskStatus> = {}): TaskStatus {
  return { task_id: { value: id }, state, source: 'SOURCE_EXECUTOR', agent_id: { value: 'agent-1' }, timestamp: 1_700_000_000, uuid: 'AAECAwQFBgcICQoLDA0ODw==', ...extra };
}

function stateWithAgent(): { state: MasterState; framework: ReturnType<MasterState['addFramework']>; agent: ReturnType<MasterState['addAgent']> } {
  const state = new MasterState({ maxCompletedFrameworks: 10, maxCompletedTasksPerFramework: 10 });
  const framework = state.addFramework({ user: 'u', name: 'f', id: { value: 'framework-1' } }, 'scheduler@host', 0);
  const agent = state.addAgent({ hostname: 'h', resources: cpusAndMem(4), id: { value: 'agent-1' } }, 'agent@h', '0.1.0', 0);
  return { state, framework, agent };
}

describe('task storage', () => {
  it('keeps a task equal to what was launched, its ids its framework\'s and agent\'s own objects', () => {
    const { state, framework, agent } = stateWithAgent();
    const record = state.addTask(framework, agent, taskInfo('t1'), 'executor-1');
    expect(JSON.parse(JSON.stringify(record.task))).to.deep.equal({
      name: 'task t1', task_id: { value: 't1' }, framework_id: { value: 'framework-1' }, agent_id: { value: 'agent-1' },
      state: 'TASK_STAGING', resources: cpusAndMem(0.5), statuses: [], executor_id: { value: 'executor-1' },
    });
    expect(record.task.framework_id).to.equal(framework.ref);
    expect(record.task.agent_id).to.equal(agent.ref);
  });

  it('shares one resource list among tasks asking the same, and keeps different ones apart', () => {
    const { state, framework, agent } = stateWithAgent();
    const a = state.addTask(framework, agent, taskInfo('a'), undefined);
    const b = state.addTask(framework, agent, taskInfo('b'), undefined);
    const c = state.addTask(framework, agent, taskInfo('c', 1), undefined);
    expect(a.task.resources).to.equal(b.task.resources);
    expect(c.task.resources).to.not.equal(a.task.resources);
    expect(c.task.resources).to.deep.equal(cpusAndMem(1));
    // After another list, the first is still found; a list differing in one nested value is not it.
    const d = state.addTask(framework, agent, taskInfo('d'), undefined);
    expect(d.task.resources).to.equal(a.task.resources);
    const reserved = cpusAndMem(0.5).map((r) => ({ ...r, reservations: [{ type: 'STATIC' as const, role: r.name === 'mem' ? 'web' : 'db' }] }));
    const e = state.addTask(framework, agent, { ...taskInfo('e'), resources: reserved }, undefined);
    const f = state.addTask(framework, agent, { ...taskInfo('f'), resources: reserved.map((r) => ({ ...r, reservations: [{ type: 'STATIC' as const, role: 'db' }] })) }, undefined);
    expect(e.task.resources).to.deep.equal(reserved);
    expect(f.task.resources).to.not.equal(e.task.resources);
    expect(f.task.resources[1]!.reservations).to.deep.equal([{ type: 'STATIC', role: 'db' }]);
  });

  it('keeps statuses equal to those applied, their ids the task\'s, the last 8 in order', () => {
    const { state, framework, agent } = stateWithAgent();
    const record = state.addTask(framework, agent, taskInfo('t1'), 'executor-1');
    const applied = [status('t1', 'TASK_STARTING', { executor_id: { value: 'executor-1' } })];
    for (let i = 0; i < 9; i++) applied.push(status('t1', 'TASK_RUNNING', { healthy: i % 2 === 0, message: `check ${i}`, data: 'ZGF0YQ==' }));
    for (const update of applied) expect(state.updateTask(record, update).ok).to.equal(true);
    expect(record.task.statuses).to.deep.equal(applied.slice(-8));
    expect(record.latest).to.deep.equal(applied.at(-1));
    expect(record.task.statuses![0]!.task_id).to.equal(record.task.task_id);
    expect(record.task.statuses![0]!.agent_id).to.equal(record.task.agent_id);
    expect(record.task.state).to.equal('TASK_RUNNING');
  });

  it('replaces a task\'s statuses rather than changing the list an earlier reader holds', () => {
    const { state, framework, agent } = stateWithAgent();
    const record = state.addTask(framework, agent, taskInfo('t1'), undefined);
    state.updateTask(record, status('t1', 'TASK_STARTING'));
    const seen = record.task.statuses;
    state.updateTask(record, status('t1', 'TASK_RUNNING'));
    expect(seen).to.have.length(1);
    expect(record.task.statuses).to.have.length(2);
  });

  it('adopts a reported task equal to the report, with statuses sharing its ids', () => {
    const { state, framework, agent } = stateWithAgent();
    const reported = {
      name: 'old', task_id: { value: 'old-1' }, framework_id: { value: 'framework-1' }, agent_id: { value: 'agent-1' },
      state: 'TASK_RUNNING' as const, resources: cpusAndMem(0.5), statuses: [status('old-1', 'TASK_RUNNING')],
    };
    const record = state.adoptTask(framework, agent, reported);
    expect(record.task).to.deep.equal(reported);
    expect(record.task.statuses![0]!.task_id).to.equal(record.task.task_id);
  });

  it('answers equal strings, the short ones shared, and detaches them from what they were cut from', () => {
    const storage = new TaskStorage();
    const [envelope] = decodeEnvelopes(encodeEnvelope({ type: 'test.Body', from: 'a@b', to: 'c@d', id: 1, body: { reason: 'REASON_COMMAND_EXECUTOR_FAILED', long: 'x'.repeat(100) } } as never)) as [{ body: { reason: string; long: string } }];
    const kept = storage.text(envelope.body.reason);
    expect(kept).to.equal('REASON_COMMAND_EXECUTOR_FAILED');
    expect(storage.text(`REASON_COMMAND_${'EXECUTOR_FAILED'}`)).to.equal(kept);
    expect(storage.text(envelope.body.long)).to.equal('x'.repeat(100));
    expect(detached('short')).to.equal('short');
  });
});
