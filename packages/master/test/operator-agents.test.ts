import { expect } from 'chai';
import { Resources } from '@tessera/protocol';
import { acceptLaunch, addAgent, addScheduler, startMaster, task, type Cluster } from './support.js';
import { GatedRegistry, call, startCall } from './operator-support.js';

describe('master operator: agents and frameworks', () => {
  let cluster: Cluster;
  let registry: GatedRegistry;
  beforeEach(async () => {
    registry = new GatedRegistry();
    cluster = await startMaster({ registry });
  });
  afterEach(async () => { await cluster.stop(); });

  /** An agent, a partition-aware framework holding an offer on it, and (when asked) a task there. */
  async function setUp(withTask: boolean) {
    const agent = await addAgent(cluster, 'a1', 'cpus:2;mem:1024');
    const scheduler = await addScheduler(cluster, 's1', { user: 'u', name: 's1', capabilities: [{ type: 'PARTITION_AWARE' }] });
    await cluster.advance(1_000);
    if (withTask) {
      const offer = scheduler.events('OFFERS')[0]!.offers!.offers[0]!;
      await acceptLaunch(cluster, scheduler, offer.id, [task('t1', agent.id, 'cpus:1;mem:128')]);
      await cluster.advance(10_000);
    }
    return { agent, scheduler };
  }

  it('DEACTIVATE_AGENT rescinds the agent\'s offers and makes none from it', async () => {
    const { agent, scheduler } = await setUp(false);
    expect(await call(cluster, { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: agent.id } } })).to.deep.equal({ status: 200, body: {} });
    expect(scheduler.events('RESCIND')).to.have.length(1);
    scheduler.clear();
    await cluster.advance(20_000);
    expect(scheduler.events('OFFERS')).to.have.length(0);
    expect(cluster.master.state.offers.size).to.equal(0);
  });

  it('REACTIVATE_AGENT brings its offers back', async () => {
    const { agent, scheduler } = await setUp(false);
    await call(cluster, { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: agent.id } } });
    scheduler.clear();
    expect(await call(cluster, { type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: agent.id } } })).to.deep.equal({ status: 200, body: {} });
    await cluster.advance(6_000);
    expect(scheduler.events('OFFERS').length).to.be.greaterThan(0);
  });

  it('DEACTIVATE_AGENT of an unknown agent answers 404 naming it', async () => {
    expect(await call(cluster, { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: 'nope' } } })).to.deep.equal({ status: 404, error: 'DEACTIVATE_AGENT: no registered agent nope' });
  });

  it('REACTIVATE_AGENT of an active agent is refused', async () => {
    const { agent } = await setUp(false);
    const answer = await call(cluster, { type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: agent.id } } });
    expect(answer).to.deep.equal({ status: 400, error: `REACTIVATE_AGENT: agent ${agent.id} is not deactivated` });
  });

  it('DRAIN_AGENT deactivates the agent and kills its tasks with the grace period capped', async () => {
    const { agent } = await setUp(true);
    const answer = await call(cluster, { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: agent.id }, max_grace_period: { nanoseconds: 1e9 } } });
    expect(answer).to.deep.equal({ status: 200, body: {} });
    expect(cluster.master.state.deactivatedAgents.has(agent.id)).to.equal(true);
    expect(agent.got('agent.KillTask').map((k) => [k.task_id.value, k.kill_policy?.grace_period?.nanoseconds])).to.deep.equal([['t1', 1e9]]);
  });

  it('DRAIN_AGENT with mark_gone marks the agent gone once its last task has ended', async () => {
    const { agent, scheduler } = await setUp(true);
    await call(cluster, { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: agent.id }, mark_gone: true } });
    expect(registry.inner.registry.gone.has(agent.id)).to.equal(false);
    agent.tell(cluster.master.pid, 'agent.StatusUpdate', { framework_id: { value: scheduler.frameworkId }, status: { task_id: { value: 't1' }, state: 'TASK_KILLED', uuid: 'u1', source: 'SOURCE_EXECUTOR' } });
    await cluster.settle();
    await cluster.settle();
    expect(registry.inner.registry.gone.has(agent.id)).to.equal(true);
    expect(agent.got('agent.Shutdown')).to.have.length(1);
  });

  it('MARK_AGENT_GONE stores the mark first, then reports its tasks TASK_GONE_BY_OPERATOR and shuts the agent down', async () => {
    const { agent, scheduler } = await setUp(true);
    registry.gated = true;
    const pending = await startCall(cluster, { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: agent.id } } });
    expect(pending.answer).to.equal(undefined);
    expect(scheduler.events('UPDATE')).to.have.length(0);
    registry.release();
    await cluster.settle();
    expect(pending.answer).to.deep.equal({ status: 200, body: {} });
    expect(scheduler.events('UPDATE').map((e) => e.update!.status.state)).to.deep.equal(['TASK_GONE_BY_OPERATOR']);
    expect(agent.got('agent.Shutdown')).to.have.length(1);
    expect(cluster.master.state.agents.has(agent.id)).to.equal(false);
  });

  it('a gone agent that re-registers is told to shut down', async () => {
    const { agent } = await setUp(false);
    await call(cluster, { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: agent.id } } });
    agent.clear();
    agent.tell(cluster.master.pid, 'agent.Reregister', { agent_info: { hostname: 'a1', resources: Resources.parse('cpus:2;mem:1024').toJSON(), id: { value: agent.id } }, version: 'test', frameworks: [], executors: [], tasks: [] });
    await cluster.settle();
    expect(agent.got('agent.Shutdown').map((s) => s.message)).to.deep.equal([`agent ${agent.id} was marked gone`]);
    expect(cluster.master.state.agents.has(agent.id)).to.equal(false);
  });

  it('MARK_AGENT_GONE of an unknown agent answers 404 and stores nothing', async () => {
    expect(await call(cluster, { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: 'nope' } } })).to.deep.equal({ status: 404, error: 'MARK_AGENT_GONE: no agent nope' });
    expect(registry.inner.registry.gone.size).to.equal(0);
  });

  it('TEARDOWN removes the framework, kills its tasks and tells its scheduler', async () => {
    const { agent, scheduler } = await setUp(true);
    expect(await call(cluster, { type: 'TEARDOWN', teardown: { framework_id: { value: scheduler.frameworkId } } })).to.deep.equal({ status: 200, body: {} });
    expect(cluster.master.state.isCompletedFramework(scheduler.frameworkId)).to.equal(true);
    expect(agent.got('agent.ShutdownFramework')).to.deep.equal([{ framework_id: { value: scheduler.frameworkId } }]);
    expect(scheduler.events('ERROR').map((e) => e.error!.message)).to.deep.equal(['Framework was torn down by the operator']);
  });

  it('TEARDOWN of an unknown framework answers 404 naming it', async () => {
    expect(await call(cluster, { type: 'TEARDOWN', teardown: { framework_id: { value: 'f-x' } } })).to.deep.equal({ status: 404, error: 'TEARDOWN: no framework f-x' });
  });

  it('RESERVE_RESOURCES reserves unused resources for a role, rescinding offers that held them', async () => {
    const { agent, scheduler } = await setUp(false);
    const reserved = Resources.parse('cpus:1').toJSON().map((r) => ({ ...r, reservations: [{ type: 'DYNAMIC' as const, role: 'eng' }] }));
    const answer = await call(cluster, { type: 'RESERVE_RESOURCES', reserve_resources: { agent_id: { value: agent.id }, resources: reserved } });
    expect(answer).to.deep.equal({ status: 202 });
    expect(scheduler.events('RESCIND')).to.have.length(1);
    const total = cluster.master.state.agents.get(agent.id)!.total;
    expect(total.reserved('eng').scalar('cpus')).to.equal(1);
    expect(total.unreserved().scalar('cpus')).to.equal(1);
  });

  it('RESERVE_RESOURCES of more than the agent has is refused and changes nothing', async () => {
    const { agent } = await setUp(false);
    const reserved = Resources.parse('cpus:8').toJSON().map((r) => ({ ...r, reservations: [{ type: 'DYNAMIC' as const, role: 'eng' }] }));
    const answer = await call(cluster, { type: 'RESERVE_RESOURCES', reserve_resources: { agent_id: { value: agent.id }, resources: reserved } });
    expect(answer.status).to.equal(400);
    expect(cluster.master.state.agents.get(agent.id)!.total.reserved().isEmpty()).to.equal(true);
  });

  it('UNRESERVE_RESOURCES gives reserved resources back to the unreserved pool', async () => {
    const { agent } = await setUp(false);
    const reserved = Resources.parse('cpus:1').toJSON().map((r) => ({ ...r, reservations: [{ type: 'DYNAMIC' as const, role: 'eng' }] }));
    await call(cluster, { type: 'RESERVE_RESOURCES', reserve_resources: { agent_id: { value: agent.id }, resources: reserved } });
    expect(await call(cluster, { type: 'UNRESERVE_RESOURCES', unreserve_resources: { agent_id: { value: agent.id }, resources: reserved } })).to.deep.equal({ status: 202 });
    expect(cluster.master.state.agents.get(agent.id)!.total.unreserved().scalar('cpus')).to.equal(2);
  });
});
