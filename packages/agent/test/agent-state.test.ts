import { expect } from 'chai';
import type { TaskInfo, TaskStatus } from '@tessera/protocol';
import { AgentState, type ExecutorKind, type ExecutorRun } from '../src/agent-state.js';

const task = (id: string): TaskInfo => ({ name: id, task_id: { value: id }, agent_id: { value: 'S0' }, resources: [], command: { value: 'true' } });
const status = (id: string, state: TaskStatus['state'], uuid: string): TaskStatus => ({ task_id: { value: id }, state, uuid });

function withExecutor(kind: ExecutorKind = 'command', executorId = 'e1'): { state: AgentState; run: ExecutorRun } {
  const state = new AgentState();
  state.upsertFramework({ user: 'u', name: 'fw', id: { value: 'F1' } });
  const run = state.addExecutor({ frameworkId: 'F1', executorId, info: { executor_id: { value: executorId } }, kind, runId: 'r1', directory: '/tmp/x' });
  return { state, run };
}

describe('agent state', () => {
  it('queues launches until the executor subscribes, then hands them out in order', () => {
    const { state, run } = withExecutor('custom');
    expect(state.addLaunch(run, { kind: 'task', task: task('a') })).to.equal('queued');
    expect(state.addLaunch(run, { kind: 'group', tasks: [task('b'), task('c')] })).to.equal('queued');
    expect(state.task('F1', 'a')).to.include({ state: 'TASK_STAGING', queued: true });
    const launches = state.subscribed(run, 'exec@n');
    expect(launches.map((l) => l.kind)).to.deep.equal(['task', 'group']);
    expect(run).to.include({ phase: 'running', pid: 'exec@n' });
    expect(state.task('F1', 'c')!.queued).to.equal(false);
    // Once it runs, a launch goes out at once.
    expect(state.addLaunch(run, { kind: 'task', task: task('d') })).to.equal('send');
  });

  it('refuses a task id the framework already has', () => {
    const { state, run } = withExecutor();
    state.addLaunch(run, { kind: 'task', task: task('a') });
    expect(() => state.addLaunch(run, { kind: 'task', task: task('a') })).to.throw(/already known/);
  });

  it('records updates by uuid: new, duplicate, and too late after a terminal one', () => {
    const { state, run } = withExecutor();
    state.addLaunch(run, { kind: 'task', task: task('a') });
    expect(state.recordUpdate('F1', status('a', 'TASK_RUNNING', 'u1')).kind).to.equal('new');
    expect(state.recordUpdate('F1', status('a', 'TASK_RUNNING', 'u1')).kind).to.equal('duplicate');
    expect(state.recordUpdate('F1', status('a', 'TASK_FINISHED', 'u2')).kind).to.equal('new');
    expect(state.task('F1', 'a')!.state).to.equal('TASK_FINISHED');
    const late = state.recordUpdate('F1', status('a', 'TASK_RUNNING', 'u3'));
    expect(late.kind === 'refused' && late.error).to.match(/already TASK_FINISHED/);
    expect(state.recordUpdate('F1', status('zz', 'TASK_RUNNING', 'u4')).kind).to.equal('refused');
  });

  it('takes a queued task out with the rest of its group', () => {
    const { state, run } = withExecutor('default');
    state.addLaunch(run, { kind: 'group', tasks: [task('a'), task('b')] });
    state.addLaunch(run, { kind: 'task', task: task('c') });
    expect(state.dequeue('F1', 'b').map((t) => t.task_id.value)).to.deep.equal(['a', 'b']);
    expect(run.queue.map((l) => l.kind)).to.deep.equal(['task']);
    expect(state.dequeue('F1', 'b')).to.deep.equal([]);
  });

  it('returns the unfinished tasks of an executor that ends, and keeps them until they are settled', () => {
    const { state, run } = withExecutor();
    state.addLaunch(run, { kind: 'task', task: task('a') });
    state.addLaunch(run, { kind: 'task', task: task('b') });
    state.subscribed(run, 'exec@n');
    state.recordUpdate('F1', status('b', 'TASK_FINISHED', 'u1'));
    expect(state.removeExecutor(run).map((t) => t.info.task_id.value)).to.deep.equal(['a']);
    expect(state.executor('F1', 'e1')).to.equal(undefined);
    expect(state.task('F1', 'b')).to.not.equal(undefined);
    expect(state.removeFrameworkIfIdle('F1')).to.equal(false);
    state.removeTask('F1', 'a');
    state.removeTask('F1', 'b');
    expect(state.removeFrameworkIfIdle('F1')).to.equal(true);
  });

  it('describes what it holds for re-registration, without command executors', () => {
    const { state, run } = withExecutor('command', 'a');
    state.addLaunch(run, { kind: 'task', task: task('a') });
    const custom = state.addExecutor({ frameworkId: 'F1', executorId: 'x', info: { executor_id: { value: 'x' } }, kind: 'custom', runId: 'r2', directory: '/tmp/y' });
    state.addLaunch(custom, { kind: 'task', task: task('b') });
    state.recordUpdate('F1', status('b', 'TASK_RUNNING', 'u1'));
    const held = state.reregistration('S0', (_fw, id) => (id === 'b' ? status('b', 'TASK_RUNNING', 'u1') : undefined));
    expect(held.frameworks.map((f) => f.id?.value)).to.deep.equal(['F1']);
    expect(held.executors).to.deep.equal([{ framework_id: { value: 'F1' }, executor_info: { executor_id: { value: 'x' } } }]);
    expect(held.tasks.map((t) => [t.task_id.value, t.state, t.executor_id?.value, t.status_update_uuid])).to.deep.equal([
      ['a', 'TASK_STAGING', undefined, undefined],
      ['b', 'TASK_RUNNING', 'x', 'u1'],
    ]);
  });

  it('forgets a framework that is shutting down with its last executor, tasks and all', () => {
    const { state, run } = withExecutor();
    state.addLaunch(run, { kind: 'task', task: task('a') });
    expect(state.shutDownFramework('F1')).to.deep.equal([run]);
    expect(state.isShuttingDown('F1')).to.equal(true);
    expect(state.removeFrameworkIfNoExecutors('F1')).to.equal(false);
    state.removeExecutor(run);
    expect(state.removeFrameworkIfNoExecutors('F1')).to.equal(true);
    expect(state.task('F1', 'a')).to.equal(undefined);
  });
});
