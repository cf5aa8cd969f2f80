// Simulated agents against a real master on a manual clock: each agent registers as a node of its
// own, and a task on one reports STARTING, RUNNING, then FINISHED once its duration has passed,
// with no process forked.
import { expect } from 'chai';
import os from 'node:os';
import { nodeOf } from '@tessera/process';
import { Resources, SchedulerDriver, type Offer, type TaskStatus } from '@tessera/scheduler-driver';
import { startSimCluster, type SimCluster } from './sim-support.js';

describe('SimAgents', () => {
  let cluster: SimCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('registers every agent with the master, each from a node of its own', async () => {
    cluster = await startSimCluster({ count: 20 });
    // Mesos's registration back-off: the first attempt comes within 1 s.
    await cluster.advance(1_000);
    expect(cluster.sim.registered()).to.equal(20);
    const agents = [...cluster.master.state.agents.values()];
    expect(agents).to.have.length(20);
    expect(new Set(agents.map((a) => nodeOf(a.pid)))).to.have.property('size', 20);
    expect(agents.map((a) => a.info.hostname).sort()).to.include.members(['sim-1', 'sim-20']);
    expect(cluster.sim.stats()).to.deep.equal({ agents: 20, registered: 20, tasksLaunched: 0, tasksRunning: 0 });
  });

  it('runs a task through the real executor: STARTING, RUNNING, then FINISHED after its duration', async () => {
    cluster = await startSimCluster({ count: 2 });
    await cluster.advance(1_000);
    const updates: TaskStatus[] = [];
    let launched = false;
    const driver: SchedulerDriver = new SchedulerDriver({
      framework: { user: os.userInfo().username, name: 'one task', roles: ['*'] },
      runtime: cluster.frameworks,
      scheduler: {
        offers: (offers: Offer[]) => {
          const offer = offers[0]!;
          if (launched) return driver.decline(offers.map((o) => o.id.value));
          launched = true;
          driver.launch([offer.id.value], [{
            name: 't', task_id: { value: 't' }, agent_id: offer.agent_id, command: { value: 'sleep 3' },
            resources: Resources.parse('cpus:1;mem:128').withAllocation('*').toJSON(),
          }]);
          driver.decline(offers.slice(1).map((o) => o.id.value));
        },
        update: (status) => { updates.push(status); },
      },
    });
    const subscribed = driver.start();
    await cluster.advanceUntil(() => updates.some((u) => u.state === 'TASK_RUNNING'), 2_000);
    await subscribed;
    const runningAt = cluster.clock.now();
    expect(updates.map((u) => u.state)).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING']);
    expect(cluster.sim.stats()).to.include({ tasksLaunched: 1, tasksRunning: 1 });
    await cluster.advanceUntil(() => updates.length === 3, 5_000, 50);
    expect(updates.map((u) => u.state)).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    // Ended 3 s after it started, to the step of the clock.
    expect(cluster.clock.now() - runningAt).to.be.within(3_000, 3_050);
    expect(cluster.sim.stats()).to.include({ tasksLaunched: 1, tasksRunning: 0 });
    await driver.stop();
  });

  it('refuses a bad agent count or bad resources before starting anything', async () => {
    const { SimAgents } = await import('../src/sim/index.js');
    const network = { transport: () => { throw new Error('no node may be made'); } };
    await SimAgents.start({ count: 0, resources: 'cpus:1', network, workDir: '/tmp' }).then(() => expect.fail('started'), (e: Error) => expect(e.message).to.match(/count must be a whole number >= 1/));
    await SimAgents.start({ count: 1, resources: 'cpus:x', network, workDir: '/tmp' }).then(() => expect.fail('started'), (e: Error) => expect(e.message).to.match(/cpus/));
  });
});
