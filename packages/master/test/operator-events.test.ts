import { expect } from 'chai';
import { validateBody, type OperatorEvent } from '@tessera/protocol';
import { acceptLaunch, addAgent, addScheduler, startMaster, task, type Cluster } from './support.js';
import { call, subscribe } from './operator-support.js';

describe('master operator: SUBSCRIBE events', () => {
  let cluster: Cluster;
  let feed: { events: OperatorEvent[]; stop: () => void };
  beforeEach(async () => {
    cluster = await startMaster();
    feed = await subscribe(cluster);
  });
  afterEach(async () => { await cluster.stop(); });

  const types = () => feed.events.map((e) => e.type);
  const of = (type: OperatorEvent['type']) => feed.events.filter((e) => e.type === type);

  async function launch() {
    const agent = await addAgent(cluster, 'a1', 'cpus:2;mem:1024');
    const scheduler = await addScheduler(cluster, 's1');
    await cluster.advance(1_000);
    const offer = scheduler.events('OFFERS')[0]!.offers!.offers[0]!;
    await acceptLaunch(cluster, scheduler, offer.id, [task('t1', agent.id, 'cpus:1;mem:128')]);
    return { agent, scheduler };
  }

  it('AGENT_ADDED when an agent registers', async () => {
    const agent = await addAgent(cluster, 'a1');
    expect(of('AGENT_ADDED').map((e) => e.agent_added!.agent.agent_info.id?.value)).to.deep.equal([agent.id]);
  });

  it('FRAMEWORK_ADDED when a framework subscribes', async () => {
    const scheduler = await addScheduler(cluster, 's1');
    expect(of('FRAMEWORK_ADDED').map((e) => e.framework_added!.framework.framework_info.id?.value)).to.deep.equal([scheduler.frameworkId]);
  });

  it('TASK_ADDED when a task is launched', async () => {
    await launch();
    expect(of('TASK_ADDED').map((e) => [e.task_added!.task.task_id.value, e.task_added!.task.state])).to.deep.equal([['t1', 'TASK_STAGING']]);
  });

  it('TASK_UPDATED with the new state when the agent reports it', async () => {
    const { agent, scheduler } = await launch();
    agent.tell(cluster.master.pid, 'agent.StatusUpdate', { framework_id: { value: scheduler.frameworkId }, status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', uuid: 'u1', source: 'SOURCE_EXECUTOR' } });
    await cluster.settle();
    const updated = of('TASK_UPDATED').map((e) => e.task_updated!);
    expect(updated.map((u) => [u.state, u.status.state, u.agent_id.value])).to.deep.equal([['TASK_RUNNING', 'TASK_RUNNING', agent.id]]);
  });

  it('FRAMEWORK_REMOVED when a framework is torn down', async () => {
    const scheduler = await addScheduler(cluster, 's1');
    await call(cluster, { type: 'TEARDOWN', teardown: { framework_id: { value: scheduler.frameworkId } } });
    expect(of('FRAMEWORK_REMOVED').map((e) => e.framework_removed!.framework_info.id?.value)).to.deep.equal([scheduler.frameworkId]);
  });

  it('FRAMEWORK_UPDATED when a framework updates its info', async () => {
    const scheduler = await addScheduler(cluster, 's1');
    scheduler.tell(cluster.master.pid, 'scheduler.Call', { type: 'UPDATE_FRAMEWORK', framework_id: { value: scheduler.frameworkId }, update_framework: { framework_info: { user: 'test', name: 's1-renamed', id: { value: scheduler.frameworkId } } } });
    await cluster.settle();
    expect(of('FRAMEWORK_UPDATED').map((e) => e.framework_updated!.framework.framework_info.name)).to.deep.equal(['s1-renamed']);
  });

  it('AGENT_REMOVED when an agent is marked gone', async () => {
    const agent = await addAgent(cluster, 'a1');
    await call(cluster, { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: agent.id } } });
    expect(of('AGENT_REMOVED').map((e) => e.agent_removed!.agent_id.value)).to.deep.equal([agent.id]);
  });

  it('AGENT_REMOVED when an agent becomes unreachable', async () => {
    const agent = await addAgent(cluster, 'a1');
    agent.alive = false;
    await cluster.advance(15_000 * 7, 1_000);
    expect(of('AGENT_REMOVED').map((e) => e.agent_removed!.agent_id.value)).to.deep.equal([agent.id]);
  });

  it('every event matches the protocol\'s event schema', async () => {
    const { agent, scheduler } = await launch();
    agent.tell(cluster.master.pid, 'agent.StatusUpdate', { framework_id: { value: scheduler.frameworkId }, status: { task_id: { value: 't1' }, state: 'TASK_FINISHED', uuid: 'u1', source: 'SOURCE_EXECUTOR' } });
    await cluster.settle();
    await call(cluster, { type: 'TEARDOWN', teardown: { framework_id: { value: scheduler.frameworkId } } });
    expect(types()).to.include.members(['SUBSCRIBED', 'AGENT_ADDED', 'FRAMEWORK_ADDED', 'TASK_ADDED', 'TASK_UPDATED', 'FRAMEWORK_REMOVED']);
    for (const event of feed.events) expect(validateBody('operator.Event', event), event.type).to.deep.include({ ok: true });
  });

  it('an unsubscribed listener hears nothing more', async () => {
    feed.stop();
    await addAgent(cluster, 'a1');
    expect(types()).to.deep.equal(['SUBSCRIBED']);
  });

  it('a listener that throws is dropped and the master carries on', async () => {
    await cluster.masterRuntime.dispatch(cluster.master.pid, () => cluster.master.operator.subscribe((e) => { if (e.type !== 'SUBSCRIBED') throw new Error('broken stream'); }));
    await addAgent(cluster, 'a1');
    await addAgent(cluster, 'a2');
    expect(of('AGENT_ADDED')).to.have.length(2);
  });
});
