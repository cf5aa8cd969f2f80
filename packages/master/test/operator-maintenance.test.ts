import { expect } from 'chai';
import { Resources, type MaintenanceSchedule } from '@tessera/protocol';
import { acceptLaunch, addAgent, addPeer, addScheduler, startMaster, task, type Cluster } from './support.js';
import { GatedRegistry, call, callBody } from './operator-support.js';

const START_NS = 1_700_000_000_000_000_000;
const schedule = (...hostnames: string[]): MaintenanceSchedule => ({
  windows: [{ machine_ids: hostnames.map((hostname) => ({ hostname })), unavailability: { start: { nanoseconds: START_NS }, duration: { nanoseconds: 3_600e9 } } }],
});

describe('master operator: maintenance', () => {
  let cluster: Cluster;
  let registry: GatedRegistry;
  beforeEach(async () => {
    registry = new GatedRegistry();
    cluster = await startMaster({ registry });
  });
  afterEach(async () => { await cluster.stop(); });

  const update = (s: MaintenanceSchedule) => call(cluster, { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule: s } });
  const start = (hostname: string) => call(cluster, { type: 'START_MAINTENANCE', start_maintenance: { machines: [{ hostname }] } });
  const stop = (hostname: string) => call(cluster, { type: 'STOP_MAINTENANCE', stop_maintenance: { machines: [{ hostname }] } });

  it('UPDATE_MAINTENANCE_SCHEDULE stores the schedule; its machines are reported draining', async () => {
    expect(await update(schedule('h1'))).to.deep.equal({ status: 200, body: {} });
    expect(registry.inner.registry.maintenance).to.deep.equal({ ...schedule('h1'), down_machines: [] });
    expect((await callBody(cluster, { type: 'GET_MAINTENANCE_SCHEDULE' }))['get_maintenance_schedule']).to.deep.equal({ schedule: schedule('h1') });
    const status = (await callBody(cluster, { type: 'GET_MAINTENANCE_STATUS' }))['get_maintenance_status'].status;
    expect(status).to.deep.equal({ draining_machines: [{ id: { hostname: 'h1' }, statuses: [] }], down_machines: [] });
  });

  it('a schedule naming a machine in two windows is refused and nothing is stored', async () => {
    const twice = { windows: [...schedule('h1').windows, ...schedule('h1').windows] };
    expect(await update(twice)).to.deep.equal({ status: 400, error: 'UPDATE_MAINTENANCE_SCHEDULE: machine h1 is in more than one window' });
    expect(registry.inner.registry.maintenance).to.equal(undefined);
  });

  it('offers for an agent on a scheduled machine carry its unavailability', async () => {
    await addAgent(cluster, 'h1', 'cpus:2;mem:1024');
    await update(schedule('h1'));
    const scheduler = await addScheduler(cluster, 's1');
    await cluster.advance(1_000);
    const offer = scheduler.events('OFFERS')[0]!.offers!.offers[0]!;
    expect(offer.unavailability).to.deep.equal(schedule('h1').windows[0]!.unavailability);
  });

  it('a framework running tasks on a draining machine gets an inverse offer, and its answer shows in the status', async () => {
    const agent = await addAgent(cluster, 'h1', 'cpus:2;mem:1024');
    const scheduler = await addScheduler(cluster, 's1');
    await cluster.advance(1_000);
    await acceptLaunch(cluster, scheduler, scheduler.events('OFFERS')[0]!.offers!.offers[0]!.id, [task('t1', agent.id, 'cpus:1;mem:128')]);
    await update(schedule('h1'));
    const inverse = scheduler.events('OFFERS').flatMap((e) => e.offers!.inverse_offers ?? []);
    expect(inverse.map((o) => o.agent_id?.value)).to.deep.equal([agent.id]);
    scheduler.tell(cluster.master.pid, 'scheduler.Call', { type: 'ACCEPT_INVERSE_OFFERS', framework_id: { value: scheduler.frameworkId }, accept_inverse_offers: { inverse_offer_ids: [inverse[0]!.id] } });
    await cluster.settle();
    const status = (await callBody(cluster, { type: 'GET_MAINTENANCE_STATUS' }))['get_maintenance_status'].status;
    expect(status.draining_machines[0].statuses.map((s: { status: string; framework_id: { value: string } }) => [s.status, s.framework_id.value])).to.deep.equal([['ACCEPT', scheduler.frameworkId]]);
  });

  it('START_MAINTENANCE of a machine not in the schedule is refused and changes nothing', async () => {
    await update(schedule('h1'));
    expect(await start('h2')).to.deep.equal({ status: 400, error: 'START_MAINTENANCE: machine h2 is not in the maintenance schedule' });
    expect(registry.inner.registry.maintenance?.down_machines).to.deep.equal([]);
  });

  it('START_MAINTENANCE takes the machine DOWN: its agent is shut down and removed', async () => {
    const agent = await addAgent(cluster, 'h1');
    await update(schedule('h1'));
    expect(await start('h1')).to.deep.equal({ status: 200, body: {} });
    expect(agent.got('agent.Shutdown')).to.have.length(1);
    expect(cluster.master.state.agents.has(agent.id)).to.equal(false);
    const status = (await callBody(cluster, { type: 'GET_MAINTENANCE_STATUS' }))['get_maintenance_status'].status;
    expect(status).to.deep.equal({ draining_machines: [], down_machines: [{ hostname: 'h1' }] });
  });

  it('an agent on a DOWN machine cannot register', async () => {
    await update(schedule('h1'));
    await start('h1');
    const peer = await addPeer(cluster, 'h1', 'agent', ['agent.Registered', 'agent.Shutdown']);
    peer.tell(cluster.master.pid, 'agent.Register', { agent_info: { hostname: 'h1', resources: Resources.parse('cpus:1').toJSON() }, version: 'test' });
    await cluster.settle();
    expect(peer.got('agent.Registered')).to.have.length(0);
    expect(peer.got('agent.Shutdown').map((s) => s.message)).to.deep.equal(['machine h1 is DOWN for maintenance']);
  });

  it('a schedule that drops a DOWN machine is refused', async () => {
    await update(schedule('h1'));
    await start('h1');
    expect(await update(schedule('h2'))).to.deep.equal({ status: 400, error: 'UPDATE_MAINTENANCE_SCHEDULE: machine h1 is DOWN: it must stay in the schedule until STOP_MAINTENANCE' });
  });

  it('STOP_MAINTENANCE brings the machine UP, out of the schedule, and its agent may register again', async () => {
    await update(schedule('h1', 'h2'));
    await start('h1');
    expect(await stop('h1')).to.deep.equal({ status: 200, body: {} });
    expect(cluster.master.state.maintenance).to.deep.equal(schedule('h2'));
    expect(registry.inner.registry.maintenance).to.deep.equal({ ...schedule('h2'), down_machines: [] });
    const agent = await addAgent(cluster, 'h1');
    expect(cluster.master.state.agents.has(agent.id)).to.equal(true);
  });

  it('STOP_MAINTENANCE of a machine that is not DOWN is refused', async () => {
    await update(schedule('h1'));
    expect(await stop('h1')).to.deep.equal({ status: 400, error: 'STOP_MAINTENANCE: machine h1 is not DOWN' });
  });

  it('a master recovering the registry keeps the schedule and the down machines', async () => {
    await update(schedule('h1', 'h2'));
    await start('h1');
    const successor = await startMaster({ registry: registry.inner, recovered: await registry.inner.load() });
    try {
      expect(successor.master.state.maintenance).to.deep.equal(schedule('h1', 'h2'));
      expect([...successor.master.state.downMachines.values()]).to.deep.equal([{ hostname: 'h1' }]);
    } finally {
      await successor.stop();
    }
  });
});
