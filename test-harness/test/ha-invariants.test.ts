import { expect } from 'chai';
import type { HistoryRecord, TaskResources } from '../src/ha/history.js';
import { checkInvariants, type EndOfRun } from '../src/ha/invariants.js';

const SMALL: TaskResources = { cpus: 1, mem: 100 };
const launch = (task_id: string, agent_id = 'a1', resources = SMALL): HistoryRecord => ({ kind: 'launch', at: 0, task_id, agent_id, resources, role: 'sleep' });
const update = (task_id: string, state: string, agent_id = 'a1'): HistoryRecord => ({ kind: 'update', at: 0, task_id, agent_id, state });
/** Two agents of 2 cpus and 1000 MB; nothing alive unless named. */
const end = (live: string[] = []): EndOfRun => ({ liveTasks: new Set(live), agentTotals: new Map([['a1', { cpus: 2, mem: 1000 }], ['a2', { cpus: 2, mem: 1000 }]]) });

describe('HA invariant checker', () => {
  it('passes a clean history: one task finished, one still running on a live process', () => {
    const history = [launch('t1'), update('t1', 'TASK_RUNNING'), update('t1', 'TASK_FINISHED'), launch('t2'), update('t2', 'TASK_RUNNING'), update('t2', 'TASK_RUNNING')];
    expect(checkInvariants(history, end(['t2']))).to.deep.equal([]);
  });

  it('flags a task RUNNING on a second agent while the first still runs it', () => {
    const history = [launch('t1'), update('t1', 'TASK_RUNNING', 'a1'), update('t1', 'TASK_RUNNING', 'a2')];
    expect(checkInvariants(history, end(['t1'])).map((v) => [v.invariant, v.task_id, v.detail])).to.deep.equal([['duplicate-launch', 't1', 'RUNNING on a2 while on a1']]);
  });

  it('flags a task RUNNING again after it finished', () => {
    const history = [launch('t1'), update('t1', 'TASK_RUNNING'), update('t1', 'TASK_FINISHED'), update('t1', 'TASK_RUNNING')];
    expect(checkInvariants(history, end(['t1'])).map((v) => v.detail)).to.include('RUNNING after TASK_FINISHED');
  });

  it('accepts the update stream delivering RUNNING after reconciliation already answered FINISHED', () => {
    const reconciled: HistoryRecord = { kind: 'update', at: 0, task_id: 't1', agent_id: 'a1', state: 'TASK_FINISHED', reason: 'REASON_RECONCILIATION' };
    const history = [launch('t1'), update('t1', 'TASK_STARTING'), reconciled, update('t1', 'TASK_RUNNING'), update('t1', 'TASK_FINISHED')];
    expect(checkInvariants(history, end())).to.deep.equal([]);
  });

  it('still flags RUNNING after the stream itself reported FINISHED, reconciled or not', () => {
    const reconciled: HistoryRecord = { kind: 'update', at: 0, task_id: 't1', agent_id: 'a1', state: 'TASK_FINISHED', reason: 'REASON_RECONCILIATION' };
    const history = [launch('t1'), update('t1', 'TASK_RUNNING'), update('t1', 'TASK_FINISHED'), reconciled, update('t1', 'TASK_RUNNING')];
    expect(checkInvariants(history, end()).map((v) => v.detail)).to.deep.equal(['RUNNING after TASK_FINISHED']);
  });

  it('frees a task at the timestamp of its final update, not when a late update reaches the framework', () => {
    // Two 1-cpu tasks fill a1 (2 cpus); t1 ends at 5 s, its update arrives at 20 s, t3 is launched at 10 s.
    const late: HistoryRecord = { kind: 'update', at: 20_000, task_id: 't1', agent_id: 'a1', state: 'TASK_FINISHED', timestamp: 5 };
    const history: HistoryRecord[] = [launch('t1'), launch('t2'), { ...launch('t3'), at: 10_000 }, late];
    expect(checkInvariants(history, end(['t2', 't3']))).to.deep.equal([]);
  });

  it('still flags a launch onto a full agent when no task there had ended by then', () => {
    const late: HistoryRecord = { kind: 'update', at: 20_000, task_id: 't1', agent_id: 'a1', state: 'TASK_FINISHED', timestamp: 15 };
    const history: HistoryRecord[] = [launch('t1'), launch('t2'), { ...launch('t3'), at: 10_000 }, late];
    expect(checkInvariants(history, end(['t2', 't3'])).map((v) => [v.invariant, v.task_id])).to.deep.equal([['over-commit', 't3']]);
  });

  it('flags the same task id launched twice', () => {
    const history = [launch('t1'), update('t1', 'TASK_RUNNING'), update('t1', 'TASK_FINISHED'), launch('t1', 'a2')];
    expect(checkInvariants(history, end()).map((v) => v.invariant)).to.include('duplicate-launch');
  });

  it('takes a task back from UNREACHABLE to RUNNING on the same agent without complaint', () => {
    const history = [launch('t1'), update('t1', 'TASK_RUNNING'), update('t1', 'TASK_UNREACHABLE'), update('t1', 'TASK_RUNNING')];
    expect(checkInvariants(history, end(['t1']))).to.deep.equal([]);
  });

  it('flags a task with no final state and no live process', () => {
    const history = [launch('t1'), update('t1', 'TASK_RUNNING')];
    expect(checkInvariants(history, end()).map((v) => [v.invariant, v.task_id])).to.deep.equal([['forgotten-task', 't1']]);
  });

  it('flags a task reported finished whose process still runs', () => {
    const history = [launch('t1'), update('t1', 'TASK_RUNNING'), update('t1', 'TASK_FINISHED')];
    expect(checkInvariants(history, end(['t1'])).map((v) => v.detail)).to.deep.equal(['reported TASK_FINISHED but its process still runs']);
  });

  it('flags a launch that takes an agent past its cpus', () => {
    const history = [launch('t1'), launch('t2'), launch('t3')];
    const violations = checkInvariants(history, end(['t1', 't2', 't3']));
    expect(violations.map((v) => [v.invariant, v.task_id, v.agent_id])).to.deep.equal([['over-commit', 't3', 'a1']]);
  });

  it('frees resources at a final or presumed-lost state, so later launches fit', () => {
    // a1 has 2 cpus: t1 and t2 fill it; t1 finishing and t2 lost make room for t3 and t4.
    const history = [launch('t1'), launch('t2'), update('t1', 'TASK_FINISHED'), update('t2', 'TASK_LOST'), launch('t3'), launch('t4'), update('t2', 'TASK_KILLED')];
    expect(checkInvariants(history, end(['t3', 't4']))).to.deep.equal([]);
  });

  it('counts a presumed-lost task that comes back against its agent again', () => {
    const history = [launch('t1'), launch('t2'), update('t2', 'TASK_UNREACHABLE'), launch('t3'), update('t2', 'TASK_RUNNING'), launch('t4')];
    expect(checkInvariants(history, end(['t1', 't2', 't3', 't4'])).map((v) => [v.invariant, v.task_id])).to.deep.equal([['over-commit', 't4']]);
  });

  it('does not count sums of tenths as over-committed by rounding', () => {
    const tenth = { cpus: 0.1, mem: 10 };
    const history = Array.from({ length: 20 }, (_, i) => launch(`t${i}`, 'a2', tenth));
    expect(checkInvariants(history, end(history.map((_, i) => `t${i}`)))).to.deep.equal([]);
  });

  it('leaves tasks launched after launchedBefore out of the forgotten check', () => {
    const history: HistoryRecord[] = [{ ...launch('old'), at: 10 } as HistoryRecord, { ...launch('new'), at: 20 } as HistoryRecord];
    expect(checkInvariants(history, { ...end(), launchedBefore: 15 }).map((v) => v.task_id)).to.deep.equal(['old']);
  });

  it('flags a launch on an agent it was not told the size of', () => {
    expect(checkInvariants([launch('t1', 'a9')], end(['t1'])).map((v) => v.detail)).to.deep.equal(['launched on an agent of unknown size']);
  });
});
