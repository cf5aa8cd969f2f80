import { expect } from 'chai';
import type { Messages } from '@tessera/protocol';
import { acceptLaunch, addAgent, addScheduler, startMaster, task, type Cluster, type Peer } from './support.js';

type Scheduler = Peer & { frameworkId: string };

async function launch(cluster: Cluster, scheduler: Scheduler, agentId: string, taskId: string): Promise<void> {
  await cluster.advance(1_000);
  const offer = scheduler.events('OFFERS').flatMap((e) => e.offers!.offers).find((o) => o.agent_id.value === agentId)!;
  await acceptLaunch(cluster, scheduler, offer.id, [task(taskId, agentId, 'cpus:1;mem:64')]);
}

function call(scheduler: Scheduler, body: Omit<Messages['scheduler.Call'], 'framework_id'>): Messages['scheduler.Call'] {
  return { ...body, framework_id: { value: scheduler.frameworkId } };
}

describe('master: failures, failover and reconciliation', () => {
  let cluster: Cluster;
  beforeEach(async () => { cluster = await startMaster({ agentPingTimeoutMs: 1_000, maxAgentPingTimeouts: 3 }); });
  afterEach(async () => { await cluster.stop(); });

  it('reports tasks of an agent that stops answering pings as TASK_LOST, or TASK_UNREACHABLE when partition-aware', async () => {
    const agent = await addAgent(cluster, 'a1');
    const plain = await addScheduler(cluster, 's1');
    const aware = await addScheduler(cluster, 's2', { user: 'u', name: 'aware', capabilities: [{ type: 'PARTITION_AWARE' }] });
    await launch(cluster, plain, agent.id, 'p1');
    await launch(cluster, aware, agent.id, 'a1');
    await cluster.advance(1_000);
    const outstanding = [...plain.events('OFFERS'), ...aware.events('OFFERS')].length;
    expect(outstanding).to.be.greaterThan(0);
    agent.alive = false;
    await cluster.advance(4_000);
    expect(plain.events('UPDATE').map((e) => [e.update!.status.state, e.update!.status.reason])).to.deep.equal([['TASK_LOST', 'REASON_AGENT_REMOVED']]);
    expect(aware.events('UPDATE').map((e) => e.update!.status.state)).to.deep.equal(['TASK_UNREACHABLE']);
    expect(plain.events('FAILURE')[0]!.failure!.agent_id?.value).to.equal(agent.id);
    expect(cluster.master.state.agents.get(agent.id)!.lifecycle.value).to.equal('unreachable');
    expect(cluster.master.state.offers.size).to.equal(0);
  });

  it('takes an unreachable agent back when it re-registers with its tasks', async () => {
    const agent = await addAgent(cluster, 'a1');
    const aware = await addScheduler(cluster, 's2', { user: 'u', name: 'aware', capabilities: [{ type: 'PARTITION_AWARE' }] });
    await launch(cluster, aware, agent.id, 't1');
    agent.alive = false;
    await cluster.advance(4_000);
    agent.alive = true;
    const running = cluster.master.state.findTask(aware.frameworkId, 't1')!.task;
    agent.tell(cluster.master.pid, 'agent.Reregister', {
      agent_info: { hostname: 'a1', resources: [], id: { value: agent.id } }, version: 'test',
      frameworks: [{ user: 'u', name: 'aware', id: { value: aware.frameworkId } }], executors: [],
      tasks: [{ ...running, state: 'TASK_RUNNING' }],
    });
    await cluster.settle();
    expect(agent.got('agent.Reregistered')).to.have.length(1);
    expect(cluster.master.state.agents.get(agent.id)!.lifecycle.value).to.equal('registered');
    expect(cluster.master.state.findTask(aware.frameworkId, 't1')!.task.state).to.equal('TASK_RUNNING');
  });

  it('keeps a framework whose scheduler fails over within failover_timeout, with its tasks', async () => {
    const agent = await addAgent(cluster, 'a1');
    const first = await addScheduler(cluster, 's1', { user: 'u', name: 'fw', failover_timeout: 60 });
    await launch(cluster, first, agent.id, 't1');
    cluster.network.crash('s1');
    await cluster.settle();
    expect(cluster.master.state.frameworks.get(first.frameworkId)!.lifecycle.value).to.equal('disconnected');
    await cluster.advance(30_000, 1_000);
    const second = await addScheduler(cluster, 's1b', { user: 'u', name: 'fw', failover_timeout: 60, id: { value: first.frameworkId } });
    expect(second.frameworkId).to.equal(first.frameworkId);
    await cluster.advance(60_000, 1_000);
    expect(cluster.master.state.frameworks.get(first.frameworkId)!.lifecycle.value).to.equal('active');
    expect(cluster.master.state.findTask(first.frameworkId, 't1')).to.not.equal(undefined);
    expect(agent.got('agent.ShutdownFramework')).to.have.length(0);
  });

  it('tears a framework down when its scheduler stays away past failover_timeout, killing its tasks', async () => {
    const agent = await addAgent(cluster, 'a1');
    const first = await addScheduler(cluster, 's1', { user: 'u', name: 'fw', failover_timeout: 10 });
    await launch(cluster, first, agent.id, 't1');
    cluster.network.crash('s1');
    await cluster.advance(11_000, 1_000);
    expect(cluster.master.state.frameworks.has(first.frameworkId)).to.equal(false);
    expect(agent.got('agent.ShutdownFramework').map((b) => b.framework_id.value)).to.deep.equal([first.frameworkId]);
    expect(cluster.master.state.completedFrameworks.map((f) => f.id)).to.deep.equal([first.frameworkId]);
    const again = await addScheduler(cluster, 's1c', { user: 'u', name: 'fw' }).catch((err: Error) => err);
    expect(again).to.not.be.instanceOf(Error);
    const refused = await addScheduler(cluster, 's1d', { user: 'u', name: 'fw', id: { value: first.frameworkId } }).catch((err: Error) => err);
    expect(String(refused)).to.match(/has been removed/);
  });

  it('gives a scheduler whose framework it tore down a new framework when it subscribes again without an id', async () => {
    const scheduler = await addScheduler(cluster, 's1', { user: 'u', name: 'fw' });
    const first = scheduler.frameworkId;
    scheduler.tell(cluster.master.pid, 'scheduler.Call', call(scheduler, { type: 'TEARDOWN' }));
    await cluster.settle();
    scheduler.clear();
    scheduler.tell(cluster.master.pid, 'scheduler.Call', { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'fw' } } });
    await cluster.settle();
    const again = scheduler.events('SUBSCRIBED').map((e) => e.subscribed!.framework_id.value);
    expect(again).to.have.length(1);
    expect(again[0]).to.not.equal(first);
    expect(cluster.master.state.frameworks.get(again[0]!)!.lifecycle.value).to.equal('active');
  });

  it('gives the scheduler a framework failed over from a new framework when it subscribes again without an id', async () => {
    const old = await addScheduler(cluster, 's1', { user: 'u', name: 'fw', failover_timeout: 60 });
    const successor = await addScheduler(cluster, 's1b', { user: 'u', name: 'fw', failover_timeout: 60, id: { value: old.frameworkId } });
    expect(successor.frameworkId).to.equal(old.frameworkId);
    old.clear();
    old.tell(cluster.master.pid, 'scheduler.Call', { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'fw' } } });
    await cluster.settle();
    const fresh = old.events('SUBSCRIBED').map((e) => e.subscribed!.framework_id.value);
    expect(fresh).to.have.length(1);
    expect(fresh[0]).to.not.equal(old.frameworkId);
    expect(cluster.master.state.frameworkAt(successor.pid)!.id).to.equal(old.frameworkId);
  });

  it('answers explicit and implicit reconciliation', async () => {
    const agent = await addAgent(cluster, 'a1');
    const scheduler = await addScheduler(cluster, 's1', { user: 'u', name: 'fw', capabilities: [{ type: 'PARTITION_AWARE' }] });
    await launch(cluster, scheduler, agent.id, 't1');
    scheduler.clear();
    scheduler.tell(cluster.master.pid, 'scheduler.Call', call(scheduler, { type: 'RECONCILE', reconcile: { tasks: [] } }));
    await cluster.settle();
    expect(scheduler.events('UPDATE').map((e) => [e.update!.status.task_id.value, e.update!.status.state])).to.deep.equal([['t1', 'TASK_STAGING']]);
    scheduler.clear();
    scheduler.tell(cluster.master.pid, 'scheduler.Call', call(scheduler, {
      type: 'RECONCILE',
      reconcile: { tasks: [{ task_id: { value: 't1' } }, { task_id: { value: 'nope' }, agent_id: { value: agent.id } }, { task_id: { value: 'nope2' }, agent_id: { value: 'unknown-S9' } }] },
    }));
    await cluster.settle();
    expect(scheduler.events('UPDATE').map((e) => e.update!.status.state)).to.deep.equal(['TASK_STAGING', 'TASK_GONE', 'TASK_UNKNOWN']);
    expect(scheduler.events('UPDATE').every((e) => e.update!.status.reason === 'REASON_RECONCILIATION' && e.update!.status.uuid === undefined)).to.equal(true);
  });

  it('drops the tasks of an ACCEPT on an unknown offer and errors a duplicate task id, launching nothing', async () => {
    const agent = await addAgent(cluster, 'a1');
    const scheduler = await addScheduler(cluster, 's1');
    await launch(cluster, scheduler, agent.id, 't1');
    const runs = agent.got('agent.RunTask').length;
    scheduler.tell(cluster.master.pid, 'scheduler.Call', call(scheduler, {
      type: 'ACCEPT', accept: { offer_ids: [{ value: 'no-such-offer' }], operations: [{ type: 'LAUNCH', launch: { task_infos: [task('t2', agent.id, 'cpus:1')] } }] },
    }));
    await cluster.advance(6_000); // past the default 5 s refusal of the first ACCEPT's leftovers
    const offer = scheduler.events('OFFERS').at(-1)!.offers!.offers[0]!;
    scheduler.tell(cluster.master.pid, 'scheduler.Call', call(scheduler, {
      type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task('t1', agent.id, 'cpus:1')] } }] },
    }));
    await cluster.settle();
    const updates = scheduler.events('UPDATE').map((e) => e.update!.status);
    expect(updates.map((s) => [s.task_id.value, s.state, s.reason])).to.deep.equal([
      ['t2', 'TASK_DROPPED', 'REASON_INVALID_OFFERS'],
      ['t1', 'TASK_ERROR', 'REASON_TASK_INVALID'],
    ]);
    expect(updates[1]!.message).to.match(/already in use/);
    expect(agent.got('agent.RunTask')).to.have.length(runs);
  });

  it('forwards KILL to the task\'s agent with the kill policy', async () => {
    const agent = await addAgent(cluster, 'a1');
    const scheduler = await addScheduler(cluster, 's1');
    await launch(cluster, scheduler, agent.id, 't1');
    const policy = { grace_period: { nanoseconds: 2_000_000_000 } };
    scheduler.tell(cluster.master.pid, 'scheduler.Call', call(scheduler, { type: 'KILL', kill: { task_id: { value: 't1' }, kill_policy: policy } }));
    await cluster.settle();
    expect(agent.got('agent.KillTask')).to.deep.equal([{ framework_id: { value: scheduler.frameworkId }, task_id: { value: 't1' }, kill_policy: policy }]);
  });
});
