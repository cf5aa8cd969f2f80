import { expect } from 'chai';
import type { Messages } from '@tessera/protocol';
import { Peer, commandTask, framework, registeredCluster, startCluster, type Cluster } from './support.js';

describe('agent registration', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('registers within a second, with its resources and attributes, and stops trying once registered', async () => {
    cluster = await startCluster({ agent: { attributes: 'rack:r1;level:2', hostname: 'box' } });
    await cluster.advance(1_000, 100);
    const registers = cluster.master.got('agent.Register');
    expect(registers).to.have.length(1);
    expect(registers[0]!.agent_info.hostname).to.equal('box');
    expect(registers[0]!.agent_info.resources.find((r) => r.name === 'cpus')?.scalar?.value).to.equal(4);
    expect(registers[0]!.agent_info.attributes).to.deep.equal([
      { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
      { name: 'level', type: 'SCALAR', scalar: { value: 2 } },
    ]);
    expect(cluster.agent.id).to.equal('S0');
    await cluster.advance(300_000, 5_000);
    expect(cluster.master.got('agent.Register')).to.have.length(1);
  });

  it('retries registration with doubling, randomized back-off capped at a minute', async () => {
    cluster = await startCluster({ answerRegistrations: false });
    const times: number[] = [];
    for (let t = 0; t < 600_000; t += 100) {
      cluster.clock.advance(100);
      await cluster.settle();
      const n = cluster.master.got('agent.Register').length;
      while (times.length < n) times.push(cluster.clock.now());
    }
    // Attempt k waits less than min(1 s x 2^k, 60 s) after the one before it.
    times.forEach((at, k) => {
      const gap = at - (k === 0 ? 0 : times[k - 1]!);
      expect(gap, `gap before attempt ${k}`).to.be.at.most(Math.min(1_000 * 2 ** k, 60_000) + 100);
    });
    // Ten minutes of capped back-off: at least one attempt a minute once the window is full.
    expect(times.length).to.be.within(10, 40);
    expect(times[0]).to.be.at.most(1_000);
  });

  it('re-registers with its id, carrying its tasks, when a ping says it is not connected', async () => {
    cluster = await registeredCluster();
    cluster.master.tell(cluster.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('t1') });
    await cluster.settle();
    await cluster.master.ping(cluster.agent.pid, false);
    await cluster.advance(1_000, 100);
    const [rereg] = cluster.master.got('agent.Reregister');
    expect(rereg!.agent_info.id).to.deep.equal({ value: 'S0' });
    expect(rereg!.frameworks.map((f) => f.id?.value)).to.deep.equal(['F1']);
    expect(rereg!.tasks.map((t) => [t.task_id.value, t.state])).to.deep.equal([['t1', 'TASK_STAGING']]);
    // A command executor is the agent's own invention: the master does not hear of it.
    expect(rereg!.executors).to.deep.equal([]);
    expect(rereg!.tasks[0]!.executor_id).to.equal(undefined);
  });

  it('answers pings with a pong and re-registers when the pings stop', async () => {
    cluster = await registeredCluster();
    const pong = await cluster.master.ping(cluster.agent.pid, true);
    expect(pong).to.deep.equal({});
    // 15 s x 5 missed pings.
    await cluster.advance(74_000, 1_000);
    expect(cluster.master.got('agent.Reregister')).to.have.length(0);
    await cluster.advance(2_000, 100);
    expect(cluster.master.got('agent.Reregister')).to.have.length(1);
  });

  it('keeps quiet while pings keep coming', async () => {
    cluster = await registeredCluster();
    for (let i = 0; i < 10; i += 1) {
      await cluster.advance(15_000, 1_000);
      await cluster.master.ping(cluster.agent.pid, true);
    }
    expect(cluster.master.got('agent.Reregister')).to.have.length(0);
  });

  it('re-registers when the master process exits, and the new master hears its unacknowledged updates', async () => {
    cluster = await registeredCluster();
    cluster.master.tell(cluster.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('t1') });
    await cluster.settle();
    cluster.host.executors.get('t1')!.update('t1', 'TASK_RUNNING', 'run-1');
    await cluster.settle();
    expect(cluster.master.got('agent.StatusUpdate')).to.have.length(1);
    // The master "fails over": a new master process takes the same name.
    const { masterRuntime } = cluster;
    masterRuntime.terminate(cluster.master.pid);
    await cluster.settle();
    const reregs: Messages['agent.Reregister'][] = [];
    const updates: Messages['agent.StatusUpdate'][] = [];
    masterRuntime.spawn(new Peer('master', (peer, message) => {
      if (message.type === 'agent.Reregister') {
        reregs.push(message.body as Messages['agent.Reregister']);
        peer.answer(message, 'agent.Reregistered', { agent_id: { value: 'S0' }, master_id: 'M2', ping_interval_ms: 15_000, max_missed_pings: 5 });
      }
      if (message.type === 'agent.StatusUpdate') updates.push(message.body as Messages['agent.StatusUpdate']);
      return true;
    }));
    await cluster.advance(1_000, 100);
    expect(reregs).to.have.length(1);
    const [task] = reregs[0]!.tasks;
    expect(task).to.include({ state: 'TASK_RUNNING', status_update_state: 'TASK_RUNNING', status_update_uuid: 'run-1' });
    expect(updates.map((u) => u.status.uuid)).to.deep.equal(['run-1']);
  });

  it('shuts its executors down and terminates when the master says so', async () => {
    cluster = await registeredCluster();
    cluster.master.tell(cluster.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('t1') });
    await cluster.settle();
    const executor = cluster.host.executors.get('t1')!;
    cluster.master.tell(cluster.agent.pid, 'agent.Shutdown', { message: 'gone' });
    await cluster.settle();
    expect(executor.eventsOf('SHUTDOWN')).to.have.length(1);
    executor.exit();
    await cluster.settle();
    expect(cluster.hostLauncher.shutdowns).to.equal(1);
    expect(cluster.agentRuntime.processes()).to.not.include(cluster.agent.pid);
  });
});
