import { expect } from 'chai';
import { addAgent, addScheduler, startMaster, type Cluster } from './support.js';
import { call } from './operator-support.js';

/** The snapshot, asked inside the mailbox; settles until the allocator has answered. */
async function snapshot(cluster: Cluster): Promise<Record<string, number>> {
  let out: Record<string, number> | undefined;
  await cluster.masterRuntime.dispatch(cluster.master.pid, () => cluster.master.operator.metrics((m) => { out = m; }));
  for (let i = 0; i < 10 && out === undefined; i++) await cluster.settle();
  if (out === undefined) throw new Error('metrics did not answer');
  return out;
}

describe('master operator: metrics', () => {
  let cluster: Cluster;
  beforeEach(async () => { cluster = await startMaster(); });
  afterEach(async () => { await cluster.stop(); });

  it('reports every Mesos name Tessera has, before anything happened', async () => {
    const names = Object.keys(await snapshot(cluster));
    for (const name of [
      'master/elected', 'master/uptime_secs', 'master/slaves_active', 'master/slaves_connected', 'master/slaves_disconnected',
      'master/slaves_inactive', 'master/slaves_unreachable', 'master/frameworks_active', 'master/frameworks_connected',
      'master/frameworks_disconnected', 'master/tasks_staging', 'master/tasks_running', 'master/tasks_gone_by_operator',
      'master/cpus_total', 'master/cpus_used', 'master/cpus_percent', 'master/mem_total', 'master/disk_used', 'master/gpus_percent',
      'master/outstanding_offers', 'master/invalid_status_updates', 'master/messages_accept', 'registrar/state_store_ms',
      'registrar/queued_operations', 'allocator/mesos/allocation_runs',
    ]) expect(names, name).to.include(name);
  });

  it('counts agents deactivated by the operator as inactive', async () => {
    const agent = await addAgent(cluster, 'a1');
    await addAgent(cluster, 'a2');
    await call(cluster, { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: agent.id } } });
    expect(await snapshot(cluster)).to.include({ 'master/slaves_active': 1, 'master/slaves_inactive': 1, 'master/slaves_connected': 2 });
  });

  it('reports uptime from the master\'s clock and the frameworks connected', async () => {
    await addScheduler(cluster, 's1');
    await cluster.advance(10_000, 1_000);
    const metrics = await snapshot(cluster);
    expect(metrics['master/uptime_secs']).to.be.at.least(10);
    expect(metrics).to.include({ 'master/frameworks_connected': 1, 'master/frameworks_active': 1 });
  });

  it('counts registry writes', async () => {
    await addAgent(cluster, 'a1');
    expect((await snapshot(cluster))['registrar/registry_writes']).to.equal(1);
  });
});
