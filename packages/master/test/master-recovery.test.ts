import { expect } from 'chai';
import { Resources, type Messages, type MessageType } from '@tessera/protocol';
import { ManualClock, MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { MemoryLeaseStore } from '@tessera/leader';
import { MasterContender, MemoryRegistryStore, type RegistryOperation, type RegistrySnapshot, type RegistryStore } from '../src/index.js';
import { Peer, addPeer, addScheduler, startMaster, type Cluster } from './support.js';

/** A registry whose writes wait until the test lets them through. */
class GatedRegistry implements RegistryStore {
  readonly inner = new MemoryRegistryStore();
  private readonly held: (() => void)[] = [];
  load(): Promise<RegistrySnapshot> {
    return this.inner.load();
  }
  apply(op: RegistryOperation): Promise<void> {
    return new Promise((resolve) => this.held.push(() => void this.inner.apply(op).then(resolve)));
  }
  release(): void {
    for (const go of this.held.splice(0)) go();
  }
}

const AGENT_TYPES: MessageType[] = ['agent.Registered', 'agent.Reregistered', 'agent.Shutdown', 'agent.Ping', 'master.NotLeader'];
const RESOURCES = Resources.parse('cpus:4;mem:4096').toJSON();

function reregistration(agentId: string, node: string, tasks: Messages['agent.Reregister']['tasks'] = [], frameworks: Messages['agent.Reregister']['frameworks'] = []): Messages['agent.Reregister'] {
  return { agent_info: { hostname: node, resources: RESOURCES, id: { value: agentId } }, version: 'test', frameworks, executors: [], tasks };
}

/** A registry as a previous leader left it: agents a1 and a2 admitted. */
async function previousRegistry(): Promise<MemoryRegistryStore> {
  const registry = new MemoryRegistryStore();
  for (const node of ['a1', 'a2']) {
    await registry.apply({ kind: 'admit', agent: { info: { hostname: node, resources: RESOURCES, id: { value: `agent-${node}` } }, pid: `agent@${node}` } });
  }
  return registry;
}

describe('master: the registry and recovery after a failover', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => { await cluster?.stop(); cluster = undefined; });

  it('tells an agent it is registered only once the registry has stored it', async () => {
    const registry = new GatedRegistry();
    cluster = await startMaster({ registry });
    const agent = await addPeer(cluster, 'a1', 'agent', AGENT_TYPES);
    agent.tell(cluster.master.pid, 'agent.Register', { agent_info: { hostname: 'a1', resources: RESOURCES }, version: 'test' });
    await cluster.settle();
    agent.tell(cluster.master.pid, 'agent.Register', { agent_info: { hostname: 'a1', resources: RESOURCES }, version: 'test' });
    await cluster.settle();
    expect(agent.got('agent.Registered')).to.have.length(0);
    expect(cluster.master.state.agents.size).to.equal(0);
    registry.release();
    await cluster.settle();
    const registered = agent.got('agent.Registered');
    expect(registered, 'one admission for the retried Register').to.have.length(1);
    expect([...registry.inner.registry.agents.keys()]).to.deep.equal([registered[0]!.agent_id.value]);
    expect(registry.inner.registry.agents.get(registered[0]!.agent_id.value)!.pid).to.equal(agent.pid);
  });

  it('waits for the registry\'s agents: one re-registers, the other is marked unreachable (and stored so) after agent_reregister_timeout', async () => {
    const registry = await previousRegistry();
    cluster = await startMaster({ registry, recovered: await registry.load(), agentReregisterTimeoutMs: 5_000 });
    expect(cluster.master.state.agents.get('agent-a1')!.lifecycle.value).to.equal('recovered');
    const a1 = await addPeer(cluster, 'a1', 'agent', AGENT_TYPES);
    a1.tell(cluster.master.pid, 'agent.Reregister', reregistration('agent-a1', 'a1'));
    await cluster.settle();
    expect(a1.got('agent.Reregistered')).to.have.length(1);
    expect(cluster.master.state.agents.get('agent-a1')!.lifecycle.value).to.equal('registered');
    await cluster.advance(5_000);
    expect(cluster.master.state.agents.get('agent-a2')!.lifecycle.value).to.equal('unreachable');
    expect(registry.registry.unreachable.has('agent-a2')).to.equal(true);
    expect(registry.registry.agents.has('agent-a2')).to.equal(false);
    expect(cluster.master.counters.get('master/recovery_slave_removals')).to.equal(1);
  });

  it('marks none unreachable when more than the removal limit would go', async () => {
    const registry = await previousRegistry();
    cluster = await startMaster({ registry, recovered: await registry.load(), agentReregisterTimeoutMs: 5_000, recoveryAgentRemovalLimit: 0.5 });
    await cluster.advance(5_000);
    for (const id of ['agent-a1', 'agent-a2']) expect(cluster.master.state.agents.get(id)!.lifecycle.value).to.equal('recovered');
    expect(registry.registry.unreachable.size).to.equal(0);
    expect(cluster.master.counters.get('master/recovery_slave_removal_limit_exceeded')).to.equal(1);
  });

  it('answers reconciliation about tasks on agents not yet re-registered only when they re-register or time out (MESOS-6250)', async () => {
    const registry = await previousRegistry();
    cluster = await startMaster({ registry, recovered: await registry.load(), agentReregisterTimeoutMs: 5_000 });
    const scheduler = await addScheduler(cluster, 's1', { user: 'u', name: 'fw', id: { value: 'fw-1' }, failover_timeout: 3_600 });
    scheduler.tell(cluster.master.pid, 'scheduler.Call', {
      type: 'RECONCILE', framework_id: { value: 'fw-1' },
      reconcile: { tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'agent-a1' } }, { task_id: { value: 't2' }, agent_id: { value: 'agent-a2' } }] },
    });
    await cluster.settle();
    expect(scheduler.events('UPDATE'), 'nothing is said too early').to.have.length(0);
    const a1 = await addPeer(cluster, 'a1', 'agent', AGENT_TYPES);
    const t1 = {
      name: 't1', task_id: { value: 't1' }, framework_id: { value: 'fw-1' }, agent_id: { value: 'agent-a1' }, executor_id: { value: 't1' },
      state: 'TASK_RUNNING' as const, resources: Resources.parse('cpus:1;mem:64').toJSON(),
    };
    a1.tell(cluster.master.pid, 'agent.Reregister', reregistration('agent-a1', 'a1', [t1], [{ user: 'u', name: 'fw', id: { value: 'fw-1' } }]));
    await cluster.settle();
    expect(scheduler.events('UPDATE').map((e) => [e.update!.status.task_id.value, e.update!.status.state])).to.deep.equal([['t1', 'TASK_RUNNING']]);
    await cluster.advance(5_000);
    expect(scheduler.events('UPDATE').map((e) => [e.update!.status.task_id.value, e.update!.status.state])).to.deep.equal([['t1', 'TASK_RUNNING'], ['t2', 'TASK_LOST']]);
  });

  it('runs the Master only in the contender that holds the lease; a standby refuses with the leader\'s pid, and a successor leads with the next epoch', async () => {
    const clock = new ManualClock();
    const network = new MemoryNetwork();
    const lease = new MemoryLeaseStore();
    const registry = new MemoryRegistryStore();
    const runtimes: Runtime[] = [];
    const contenders: MasterContender[] = [];
    for (const node of ['m1', 'm2']) {
      const runtime = await Runtime.create({ transport: network.transport(node), clock, random: new Random(node.length), logger: memoryLogger() });
      runtimes.push(runtime);
      const contender = new MasterContender({ runtime, lease, registry, leaseMs: 3_000 });
      contender.start();
      contenders.push(contender);
      await clock.settle();
    }
    const [m1, m2] = contenders as [MasterContender, MasterContender];
    const probe = await Runtime.create({ transport: network.transport('p'), clock, random: new Random(3), logger: memoryLogger() });
    runtimes.push(probe);
    try {
      expect(m1.master, 'the first contender leads').to.not.equal(undefined);
      expect(m2.master).to.equal(undefined);
      const peer = probe.spawn(new Peer('agent', AGENT_TYPES));
      peer.tell('master@m2', 'agent.Register', { agent_info: { hostname: 'x', resources: RESOURCES }, version: 'test' });
      await clock.settle();
      const refusal = peer.got('master.NotLeader')[0]!;
      expect(refusal.refused).to.equal('agent.Register');
      expect(refusal.leader).to.include({ pid: 'master@m1', epoch: 1 });
      await m1.stop();
      for (let i = 0; i < 10 && m2.master === undefined; i++) await clock.settle();
      expect(m2.master, 'the standby took over').to.not.equal(undefined);
      peer.tell('master@m2', 'agent.Register', { agent_info: { hostname: 'x', resources: RESOURCES }, version: 'test' });
      const registered = probe.hooks.futureMessage({ type: 'agent.Registered' });
      await clock.settle();
      expect((await registered).epoch, 'the new leader stamps its epoch').to.equal(2);
    } finally {
      for (const contender of contenders) await contender.stop();
      for (const runtime of runtimes) await runtime.stop();
    }
  });

  it('holds what comes while the new leader reads the registry, and hands it to the Master in order', async () => {
    const clock = new ManualClock();
    const network = new MemoryNetwork();
    const inner = await previousRegistry();
    let letLoad: () => void = () => {};
    const gate = new Promise<void>((resolve) => { letLoad = resolve; });
    const registry: RegistryStore = { load: async () => { await gate; return inner.load(); }, apply: (op) => inner.apply(op) };
    const runtime = await Runtime.create({ transport: network.transport('m1'), clock, random: new Random(1), logger: memoryLogger() });
    const probe = await Runtime.create({ transport: network.transport('a1'), clock, random: new Random(2), logger: memoryLogger() });
    const contender = new MasterContender({ runtime, lease: new MemoryLeaseStore(), registry, leaseMs: 3_000 });
    try {
      contender.start();
      await clock.settle();
      expect(contender.master, 'still reading the registry').to.equal(undefined);
      const agent = probe.spawn(new Peer('agent', AGENT_TYPES));
      agent.tell('master@m1', 'agent.Reregister', reregistration('agent-a1', 'a1'));
      agent.tell('master@m1', 'agent.Reregister', reregistration('agent-a1', 'a1'));
      await clock.settle();
      expect(agent.got('agent.Reregistered')).to.have.length(0);
      expect(agent.got('master.NotLeader'), 'a recovering leader does not refuse').to.have.length(0);
      letLoad();
      for (let i = 0; i < 10 && contender.master === undefined; i++) await clock.settle();
      await clock.settle();
      expect(contender.master).to.not.equal(undefined);
      expect(agent.got('agent.Reregistered').map((r) => r.agent_id.value)).to.deep.equal(['agent-a1', 'agent-a1']);
      expect(contender.master!.state.agents.get('agent-a1')!.lifecycle.value).to.equal('registered');
    } finally {
      await contender.stop();
      await runtime.stop();
      await probe.stop();
    }
  });
});
