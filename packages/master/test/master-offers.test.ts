import { expect } from 'chai';
import { Resources } from '@tessera/protocol';
import { acceptLaunch, addAgent, addScheduler, startMaster, task, type Cluster } from './support.js';

describe('master: registration, offers and launches', () => {
  let cluster: Cluster;
  beforeEach(async () => { cluster = await startMaster(); });
  afterEach(async () => { await cluster.stop(); });

  it('admits an agent with a fresh id and offers its resources to a subscribed framework', async () => {
    const agent = await addAgent(cluster, 'a1', 'cpus:2;mem:1024');
    const scheduler = await addScheduler(cluster, 's1');
    await cluster.advance(1_000);
    const offers = scheduler.events('OFFERS').flatMap((e) => e.offers!.offers);
    expect(offers).to.have.length(1);
    expect(offers[0]!.agent_id.value).to.equal(agent.id);
    expect(Resources.of(offers[0]!.resources).withoutAllocation().toString()).to.equal('cpus:2;mem:1024');
    expect(offers[0]!.allocation_info).to.deep.equal({ role: '*' });
  });

  it('launches an accepted task on its agent and gives the rest back', async () => {
    const agent = await addAgent(cluster, 'a1', 'cpus:2;mem:1024');
    const scheduler = await addScheduler(cluster, 's1');
    await cluster.advance(1_000);
    const offer = scheduler.events('OFFERS')[0]!.offers!.offers[0]!;
    await acceptLaunch(cluster, scheduler, offer.id, [task('t1', agent.id, 'cpus:1;mem:128')], { refuse_seconds: 0 });
    const run = agent.got('agent.RunTask');
    expect(run).to.have.length(1);
    expect(run[0]!.task.task_id.value).to.equal('t1');
    expect(run[0]!.framework.id?.value).to.equal(scheduler.frameworkId);
    expect(cluster.master.state.findTask(scheduler.frameworkId, 't1')?.task.state).to.equal('TASK_STAGING');
    // The leftovers come back at once (refuse_seconds 0): the allocator passes over the agent again.
    const leftover = scheduler.events('OFFERS').slice(1).flatMap((e) => e.offers!.offers);
    expect(Resources.of(leftover[0]!.resources).withoutAllocation().toString()).to.equal('cpus:1;mem:896');
  });

  it('relays a status update to the framework and its acknowledgement to the agent', async () => {
    const agent = await addAgent(cluster, 'a1', 'cpus:2;mem:1024');
    const scheduler = await addScheduler(cluster, 's1');
    await cluster.advance(1_000);
    const offer = scheduler.events('OFFERS')[0]!.offers!.offers[0]!;
    await acceptLaunch(cluster, scheduler, offer.id, [task('t1', agent.id, 'cpus:1;mem:128')]);
    agent.tell(cluster.master.pid, 'agent.StatusUpdate', { framework_id: { value: scheduler.frameworkId }, status: { task_id: { value: 't1' }, state: 'TASK_FINISHED', uuid: 'u-1', source: 'SOURCE_EXECUTOR' } });
    await cluster.settle();
    const update = scheduler.events('UPDATE')[0]!.update!.status;
    expect(update.state).to.equal('TASK_FINISHED');
    expect(update.agent_id?.value).to.equal(agent.id);
    expect(cluster.master.state.findTask(scheduler.frameworkId, 't1')).to.equal(undefined);
    expect(cluster.master.state.frameworks.get(scheduler.frameworkId)!.completedTasks.map((t) => t.state)).to.deep.equal(['TASK_FINISHED']);
    scheduler.tell(cluster.master.pid, 'scheduler.Call', { type: 'ACKNOWLEDGE', framework_id: { value: scheduler.frameworkId }, acknowledge: { agent_id: { value: agent.id }, task_id: { value: 't1' }, uuid: 'u-1' } });
    await cluster.settle();
    expect(agent.got('agent.StatusUpdateAck')).to.deep.equal([{ framework_id: { value: scheduler.frameworkId }, task_id: { value: 't1' }, uuid: 'u-1' }]);
  });

  it('keeps a declined agent out of the framework\'s offers for refuse_seconds', async () => {
    await addAgent(cluster, 'a1', 'cpus:2;mem:1024');
    const scheduler = await addScheduler(cluster, 's1');
    await cluster.advance(1_000);
    const offer = scheduler.events('OFFERS')[0]!.offers!.offers[0]!;
    scheduler.tell(cluster.master.pid, 'scheduler.Call', { type: 'DECLINE', framework_id: { value: scheduler.frameworkId }, decline: { offer_ids: [offer.id], filters: { refuse_seconds: 10 } } });
    await cluster.settle();
    scheduler.clear();
    await cluster.advance(9_000);
    expect(scheduler.events('OFFERS')).to.have.length(0);
    await cluster.advance(2_000);
    expect(scheduler.events('OFFERS')).to.have.length(1);
  });

  it('stops offering to a suppressed framework until it revives', async () => {
    await addAgent(cluster, 'a1', 'cpus:2;mem:1024');
    const scheduler = await addScheduler(cluster, 's1');
    await cluster.advance(1_000);
    const offer = scheduler.events('OFFERS')[0]!.offers!.offers[0]!;
    scheduler.tell(cluster.master.pid, 'scheduler.Call', { type: 'SUPPRESS', framework_id: { value: scheduler.frameworkId } });
    scheduler.tell(cluster.master.pid, 'scheduler.Call', { type: 'DECLINE', framework_id: { value: scheduler.frameworkId }, decline: { offer_ids: [offer.id], filters: { refuse_seconds: 0 } } });
    await cluster.settle();
    scheduler.clear();
    await cluster.advance(5_000);
    expect(scheduler.events('OFFERS')).to.have.length(0);
    scheduler.tell(cluster.master.pid, 'scheduler.Call', { type: 'REVIVE', framework_id: { value: scheduler.frameworkId } });
    await cluster.advance(1_000);
    expect(scheduler.events('OFFERS')).to.have.length(1);
  });

  it('rescinds offers that time out when offer_timeout is set', async () => {
    await cluster.stop();
    cluster = await startMaster({ offerTimeoutMs: 3_000 });
    await addAgent(cluster, 'a1', 'cpus:2;mem:1024');
    const scheduler = await addScheduler(cluster, 's1');
    await cluster.advance(1_000);
    const offer = scheduler.events('OFFERS')[0]!.offers!.offers[0]!;
    await cluster.advance(3_000);
    expect(scheduler.events('RESCIND').map((e) => e.rescind!.offer_id.value)).to.include(offer.id.value);
  });

  it('answers a call from a scheduler that is not subscribed with ERROR, changing nothing', async () => {
    const scheduler = await addScheduler(cluster, 's1');
    const stranger = await addScheduler(cluster, 's2');
    stranger.tell(cluster.master.pid, 'scheduler.Call', { type: 'TEARDOWN', framework_id: { value: scheduler.frameworkId } });
    await cluster.settle();
    expect(stranger.events('ERROR')[0]!.error!.message).to.match(/not subscribed/);
    expect(cluster.master.state.frameworks.has(scheduler.frameworkId)).to.equal(true);
  });

  it('answers a first subscription the scheduler sent again with the framework it has, not a second one', async () => {
    const scheduler = await addScheduler(cluster, 's1');
    scheduler.clear();
    // The driver retries SUBSCRIBE when the answer is slow: the retry carries no framework id yet.
    scheduler.tell(cluster.master.pid, 'scheduler.Call', { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'test', name: 's1' } } });
    await cluster.settle();
    expect(scheduler.events('SUBSCRIBED').map((e) => e.subscribed!.framework_id.value)).to.deep.equal([scheduler.frameworkId]);
    expect([...cluster.master.state.frameworks.keys()]).to.deep.equal([scheduler.frameworkId]);
  });

  it('refuses a subscription with an invalid role', async () => {
    const peer = await addScheduler(cluster, 's1');
    peer.clear();
    peer.tell(cluster.master.pid, 'scheduler.Call', { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'bad', roles: ['..'] } } });
    await cluster.settle();
    expect(peer.events('ERROR')[0]!.error!.message).to.match(/invalid path segment/);
  });
});
