import { expect } from 'chai';
import { validateBody } from '@tessera/protocol';
import { acceptLaunch, addAgent, addScheduler, startMaster, task, type Cluster } from './support.js';
import { callBody, subscribe, view, viewBody } from './operator-support.js';

describe('master operator: views and reads', () => {
  let cluster: Cluster;
  beforeEach(async () => { cluster = await startMaster({ hostname: 'm1' }); });
  afterEach(async () => { await cluster.stop(); });

  /** One agent with one task of one framework running on it. */
  async function oneTask() {
    const agent = await addAgent(cluster, 'a1', 'cpus:2;mem:1024;ports:[31000-31009]');
    const scheduler = await addScheduler(cluster, 's1');
    await cluster.advance(1_000);
    const offer = scheduler.events('OFFERS')[0]!.offers!.offers[0]!;
    await acceptLaunch(cluster, scheduler, offer.id, [task('t1', agent.id, 'cpus:1;mem:128')], { refuse_seconds: 100 });
    return { agent, scheduler };
  }

  it('/state lists the agent with its total and used resources as scalar maps, and the framework with its task', async () => {
    const { agent, scheduler } = await oneTask();
    const state = await viewBody(cluster, 'state');
    expect(state['hostname']).to.equal('m1');
    expect(state['activated_slaves']).to.equal(1);
    expect(state['slaves']).to.have.length(1);
    expect(state['slaves'][0]).to.include({ id: agent.id, hostname: 'a1', active: true });
    expect(state['slaves'][0].resources).to.deep.equal({ cpus: 2, mem: 1024, disk: 0, gpus: 0, ports: '[31000-31009]' });
    expect(state['slaves'][0].used_resources).to.include({ cpus: 1, mem: 128 });
    const framework = state['frameworks'][0];
    expect(framework).to.include({ id: scheduler.frameworkId, name: 's1', active: true, connected: true });
    expect(framework.tasks.map((t: { id: string; state: string; slave_id: string }) => [t.id, t.state, t.slave_id])).to.deep.equal([['t1', 'TASK_STAGING', agent.id]]);
  });

  it('/tasks pages and filters, and refuses a limit that is not a number', async () => {
    const { scheduler } = await oneTask();
    expect((await viewBody(cluster, 'tasks', { framework_id: scheduler.frameworkId }))['tasks']).to.have.length(1);
    expect((await viewBody(cluster, 'tasks', { offset: '1' }))['tasks']).to.have.length(0);
    expect((await viewBody(cluster, 'tasks', { task_id: 'nope' }))['tasks']).to.have.length(0);
    expect(await view(cluster, 'tasks', { limit: 'ten' })).to.deep.equal({ status: 400, error: "limit must be a whole number of zero or more, got 'ten'" });
  });

  it('/state-summary counts tasks by state per agent and per framework', async () => {
    const { agent } = await oneTask();
    const summary = await viewBody(cluster, 'state-summary');
    expect(summary['slaves'][0]).to.include({ id: agent.id, TASK_STAGING: 1, TASK_RUNNING: 0 });
    expect(summary['frameworks'][0]).to.include({ TASK_STAGING: 1 });
    expect(summary['frameworks'][0]).not.to.have.property('tasks');
  });

  it('/roles lists the framework role with its weight and allocation', async () => {
    const { scheduler } = await oneTask();
    const roles = (await viewBody(cluster, 'roles'))['roles'];
    expect(roles).to.have.length(1);
    expect(roles[0]).to.include({ name: '*', weight: 1 });
    expect(roles[0].frameworks).to.deep.equal([scheduler.frameworkId]);
    expect(roles[0].resources).to.include({ cpus: 1, mem: 128 });
  });

  it('/flags, /version, /agents and the maintenance views answer in Mesos shapes', async () => {
    await addAgent(cluster, 'a1');
    expect((await viewBody(cluster, 'flags'))['flags']).to.include({ hostname: 'm1', allocation_interval_ms: '1000' });
    expect(await viewBody(cluster, 'version')).to.have.property('version');
    const agents = await viewBody(cluster, 'agents');
    expect(agents['slaves']).to.have.length(1);
    expect(agents['recovered_slaves']).to.deep.equal([]);
    expect(await viewBody(cluster, 'maintenance/schedule')).to.deep.equal({ windows: [] });
    expect(await viewBody(cluster, 'maintenance/status')).to.deep.equal({ draining_machines: [], down_machines: [] });
  });

  it('GET_STATE answers the v1 shape, which the protocol\'s response schema accepts', async () => {
    const { agent } = await oneTask();
    const body = await callBody(cluster, { type: 'GET_STATE' });
    expect(validateBody('operator.Response', body)).to.deep.include({ ok: true });
    expect(body['type']).to.equal('GET_STATE');
    expect(body['get_state'].get_agents.agents[0].agent_info.id.value).to.equal(agent.id);
    expect(body['get_state'].get_tasks.tasks.map((t: { task_id: { value: string } }) => t.task_id.value)).to.deep.equal(['t1']);
  });

  it('every GET_* call answers a body the response schema accepts', async () => {
    await oneTask();
    for (const type of ['GET_HEALTH', 'GET_FLAGS', 'GET_VERSION', 'GET_METRICS', 'GET_AGENTS', 'GET_FRAMEWORKS', 'GET_EXECUTORS', 'GET_TASKS', 'GET_ROLES', 'GET_WEIGHTS', 'GET_QUOTA', 'GET_MASTER', 'GET_MAINTENANCE_SCHEDULE', 'GET_MAINTENANCE_STATUS'] as const) {
      const body = await callBody(cluster, { type });
      expect(validateBody('operator.Response', body), type).to.deep.include({ ok: true });
      expect(body['type']).to.equal(type);
    }
  });

  it('SUBSCRIBE hands the listener SUBSCRIBED with the state at once', async () => {
    await oneTask();
    const { events } = await subscribe(cluster);
    expect(events.map((e) => e.type)).to.deep.equal(['SUBSCRIBED']);
    expect(validateBody('operator.Event', events[0])).to.deep.include({ ok: true });
    expect(events[0]!.subscribed!.get_state.get_frameworks.frameworks).to.have.length(1);
  });

  it('metrics carry the master\'s gauges and the allocator\'s', async () => {
    await oneTask();
    let snapshot: Record<string, number> | undefined;
    await cluster.masterRuntime.dispatch(cluster.master.pid, () => cluster.master.operator.metrics((m) => { snapshot = m; }));
    await cluster.settle();
    expect(snapshot).to.include({ 'master/elected': 1, 'master/slaves_active': 1, 'master/frameworks_active': 1, 'master/tasks_staging': 1, 'master/cpus_total': 2, 'master/cpus_used': 1 });
    expect(Object.keys(snapshot!).some((k) => k.startsWith('allocator/'))).to.equal(true);
  });
});
