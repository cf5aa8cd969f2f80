import { expect } from 'chai';
import { Resources, type Operation, type TaskInfo } from '@tessera/protocol';
import { validateAccept, type AcceptContext, type OfferRecord } from '../src/accept-validation.js';

const offer = (id: string, agentId = 'a1', text = 'cpus:4;mem:1024', frameworkId = 'f1'): OfferRecord => ({
  id, frameworkId, agentId, resources: Resources.parse(text).withAllocation('web'),
});

function context(offers: OfferRecord[], live: string[] = []): AcceptContext {
  return { frameworkId: 'f1', roles: new Set(['web']), offers: new Map(offers.map((o) => [o.id, o])), taskIdInUse: (id) => live.includes(id) };
}

const task = (id: string, text = 'cpus:1;mem:128', extra: Partial<TaskInfo> = {}): TaskInfo => ({
  name: id, task_id: { value: id }, agent_id: { value: 'a1' }, resources: Resources.parse(text).withAllocation('web').toJSON(), command: { value: 'echo hi' }, ...extra,
});

const launch = (...tasks: TaskInfo[]): Operation => ({ type: 'LAUNCH', launch: { task_infos: tasks } });

describe('ACCEPT validation', () => {
  it('accepts valid tasks and gives back what they leave of the offers', () => {
    const v = validateAccept({ offer_ids: [{ value: 'o1' }], operations: [launch(task('t1'), task('t2'))] }, context([offer('o1')]));
    expect(v.refused).to.deep.equal([]);
    expect(v.accepted[0]!.tasks.map((t) => t.task_id.value)).to.deep.equal(['t1', 't2']);
    expect(v.unused.withoutAllocation().toString()).to.equal('cpus:2;mem:768');
  });

  it('drops every task of an ACCEPT naming an unknown or used offer', () => {
    const v = validateAccept({ offer_ids: [{ value: 'gone' }], operations: [launch(task('t1'))] }, context([offer('o1')]));
    expect(v.refused).to.deep.equal([{ task: task('t1'), state: 'TASK_DROPPED', reason: 'REASON_INVALID_OFFERS', message: 'offer gone is no longer valid (unknown, used, declined or rescinded)' }]);
    expect(v.offers).to.deep.equal([]);
  });

  it('refuses offers of another framework, on two agents, or named twice', () => {
    const messages = [
      validateAccept({ offer_ids: [{ value: 'o9' }], operations: [launch(task('t'))] }, context([offer('o9', 'a1', 'cpus:1', 'f2')])),
      validateAccept({ offer_ids: [{ value: 'o1' }, { value: 'o2' }], operations: [launch(task('t'))] }, context([offer('o1'), offer('o2', 'a2')])),
      validateAccept({ offer_ids: [{ value: 'o1' }, { value: 'o1' }], operations: [launch(task('t'))] }, context([offer('o1')])),
    ].map((v) => v.refused[0]!.message);
    expect(messages).to.deep.equal(['offer o9 belongs to another framework', 'offers o1, o2 are on different agents', 'offer o1 is given twice']);
  });

  it('refuses a task that uses more than the offers have left, naming both', () => {
    const v = validateAccept({ offer_ids: [{ value: 'o1' }], operations: [launch(task('t1', 'cpus:3;mem:128'), task('t2', 'cpus:2;mem:128'))] }, context([offer('o1')]));
    expect(v.refused.map((r) => [r.task.task_id.value, r.state, r.message])).to.deep.equal([
      ['t2', 'TASK_ERROR', 'the task uses cpus:2;mem:128, more than the offers have left (cpus:1;mem:896)'],
    ]);
    expect(v.accepted[0]!.tasks.map((t) => t.task_id.value)).to.deep.equal(['t1']);
  });

  it('refuses a duplicate task id, in the call or among live tasks', () => {
    const v = validateAccept({ offer_ids: [{ value: 'o1' }], operations: [launch(task('t1'), task('t1'), task('live'))] }, context([offer('o1')], ['live']));
    expect(v.refused.map((r) => r.message)).to.deep.equal(["task id 't1' is already in use", "task id 'live' is already in use"]);
  });

  it('refuses an empty command, a task with neither command nor executor, and a bad task id', () => {
    const v = validateAccept({
      offer_ids: [{ value: 'o1' }],
      operations: [launch(task('empty', 'cpus:1', { command: { value: '  ' } }), { ...task('none'), command: undefined }, task('a/b'))],
    }, context([offer('o1')]));
    expect(v.refused.map((r) => r.message)).to.deep.equal([
      'the command is empty',
      'a task needs a command or an executor (one of them, not both)',
      "task id 'a/b' is not valid: no '/', no white space, not '.' or '..'",
    ]);
  });

  it('refuses resources in a role the framework does not hold', () => {
    const foreign = { ...task('t1'), resources: Resources.parse('cpus:1').withAllocation('ops').toJSON() };
    const v = validateAccept({ offer_ids: [{ value: 'o1' }], operations: [launch(foreign)] }, context([offer('o1')]));
    expect(v.refused[0]!.message).to.equal("resource cpus is allocated to role 'ops', which the framework does not hold");
  });

  it('launches a task group whole or not at all', () => {
    const group = (tasks: TaskInfo[]): Operation => ({ type: 'LAUNCH_GROUP', launch_group: { executor: { executor_id: { value: 'e1' } }, task_group: { tasks } } });
    const ok = validateAccept({ offer_ids: [{ value: 'o1' }], operations: [group([task('g1'), task('g2')])] }, context([offer('o1')]));
    expect(ok.accepted[0]!.tasks).to.have.length(2);
    const bad = validateAccept({ offer_ids: [{ value: 'o1' }], operations: [group([task('g1'), task('g2', 'cpus:9')])] }, context([offer('o1')]));
    expect(bad.accepted).to.deep.equal([]);
    expect(bad.refused.map((r) => [r.task.task_id.value, r.reason])).to.deep.equal([['g1', 'REASON_TASK_GROUP_INVALID'], ['g2', 'REASON_TASK_GROUP_INVALID']]);
    expect(bad.unused.equals(offer('o1').resources)).to.equal(true);
  });

  it('lets a LAUNCH use what a RESERVE earlier in the same call reserved', () => {
    const reserved = Resources.of(Resources.parse('cpus:2').toJSON().map((r) => ({ ...r, reservations: [{ type: 'DYNAMIC' as const, role: 'web' }] }))).withAllocation('web');
    const v = validateAccept({
      offer_ids: [{ value: 'o1' }],
      operations: [{ type: 'RESERVE', reserve: { resources: reserved.toJSON() } }, launch({ ...task('t1'), resources: reserved.toJSON() })],
    }, context([offer('o1')]));
    expect(v.operationErrors).to.deep.equal([]);
    expect(v.refused).to.deep.equal([]);
    expect(v.unused.withoutAllocation().toString()).to.equal('cpus:2;mem:1024');
  });
});
