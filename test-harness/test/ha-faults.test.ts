import { expect } from 'chai';
import { SystemClock } from '@tessera/process';
import { eventually } from '../src/index.js';
import { HaCluster } from '../src/ha/ha-cluster.js';

const clock = new SystemClock();
/** A task launched this long ago must have reported by now (mid-run invariant checks). */
const SETTLE_MS = 10_000;
/** Two of the agent's status update retries (10 s, then 20 s) and some slack. */
const UPDATE_RETRIES_MS = 45_000;

/**
 * The HA fault tests of issue 5, on one scenario for the whole file (3 masters with a 2 s lease,
 * a 3-server NATS cluster, 3 agent processes, the recording framework keeping 50 sleepers).
 */
describe('HA: a cluster under SIGKILL (real processes, real NATS cluster)', function () {
  this.timeout(150_000);
  let ha: HaCluster;

  before(async function () {
    this.timeout(120_000);
    ha = await HaCluster.start({ leaseMs: 2_000, sleepers: 50 });
    await eventually('50 sleepers RUNNING', () => [...ha.lastStates()].filter(([id, s]) => id.includes('-sleep-') && s === 'TASK_RUNNING').length >= 50, 60_000, 200);
  });

  after(async () => {
    await ha?.stop();
  });

  const subscriptions = (): number => ha.history().filter((r) => r.kind === 'subscribed').length;
  const finishedCount = (): number => ha.history().filter((r) => r.kind === 'update' && r.state === 'TASK_FINISHED').length;
  /**
   * No task launched SETTLE_MS ago or earlier is forgotten, allowing its end the time to arrive:
   * an update sent while a NATS server was down is dropped and resent on the agent's back-off
   * (10 s, then 20 s), or when the agent re-registers. A task truly forgotten stays so.
   */
  const expectInvariants = async (): Promise<void> => {
    const launchedBefore = clock.now() - SETTLE_MS;
    let violations = ha.check(launchedBefore);
    await eventually('the invariants hold', () => (violations = ha.check(launchedBefore)).length === 0, UPDATE_RETRIES_MS, 250).catch(() => undefined);
    expect(violations, ha.explain(violations)).to.deep.equal([]);
  };

  it('elects a new leader within half a lease (its node is seen gone) each of 5 times the leader is SIGKILLed, and loses no task', async () => {
    for (let round = 1; round <= 5; round += 1) {
      const old = await ha.waitForLeader();
      const subscribed = subscriptions();
      const killedAt = performance.now();
      await ha.masters.get(old.name)!.kill('SIGKILL');
      const next = await ha.waitForLeader(4 * ha.leaseMs, old.record);
      const tookMs = performance.now() - killedAt;
      expect(next.name, `round ${round}`).to.not.equal(old.name);
      expect(tookMs, `round ${round}: new leader after ${Math.round(tookMs)} ms`).to.be.at.most(ha.leaseMs / 2);
      // It serves: the framework follows it and subscribes there.
      await eventually(`round ${round}: the framework re-subscribes to ${next.name}`, () => subscriptions() > subscribed, 20_000, 50);
      ha.restartMaster(old.name);
      await ha.waitForContending(old.name); // two standbys again, as before the first kill
    }
    const finished = finishedCount();
    await eventually('short tasks keep finishing after the failovers', () => finishedCount() >= finished + 10, 30_000, 100);
    await expectInvariants();
  });

  it('keeps the tasks of an agent SIGKILLed and restarted 5 s later, and they keep reporting', async () => {
    // The allocator may pack every sleeper onto one or two agents: take the agent running most.
    const sleepersOf = (name: string): string[] => [...ha.liveTasksOf(name)].filter((id) => id.includes('-sleep-'));
    const agent = [...ha.agents.keys()].sort((x, y) => sleepersOf(y).length - sleepersOf(x).length)[0]!;
    const victims = sleepersOf(agent);
    expect(victims.length, `sleepers on agent ${agent}`).to.be.greaterThan(0);
    await ha.agents.get(agent)!.kill('SIGKILL');
    const restartAt = performance.now() + 5_000;
    await eventually('5 s with the agent down', () => performance.now() >= restartAt, 10_000, 100);
    expect([...ha.liveTasksOf(agent)].filter((id) => victims.includes(id)), 'sleepers alive while their agent is down').to.have.members(victims);
    ha.restartAgents(agent);
    // Reporting: a task process killed now must be reported by the recovered agent.
    const [probe, ...others] = victims;
    await eventually(`the recovered agent re-registers and ${probe} is still RUNNING`, () => ha.lastStates().get(probe!) === 'TASK_RUNNING', 30_000, 100);
    for (const pid of ha.taskPids(probe!)) process.kill(pid, 'SIGKILL');
    await eventually(`${probe} reported ended after its process was killed (saw ${ha.lastStates().get(probe!)})`, () => ['TASK_FAILED', 'TASK_KILLED'].includes(ha.lastStates().get(probe!) ?? ''), 30_000, 100);
    for (const id of others) expect(ha.lastStates().get(id), id).to.equal('TASK_RUNNING');
    expect([...ha.liveTasks()]).to.include.members(others);
    await expectInvariants();
  });

  it('goes on when the NATS server the leader is connected to is SIGKILLed', async () => {
    const leader = await ha.waitForLeader();
    const url = ha.natsUrlOf(leader.name);
    const server = ha.nats.servers.find((s) => s.url === url)!;
    await server.kill('SIGKILL');
    try {
      const finished = finishedCount();
      await eventually('short tasks keep finishing without that NATS server', () => finishedCount() >= finished + 10, 45_000, 100);
      await ha.waitForLeader();
      await expectInvariants();
    } finally {
      await server.restart();
    }
  });

  it('gives a scheduler SIGKILLed and restarted within its failover timeout its tasks back', async () => {
    const sleepers = ha.openTasks('sleep');
    expect(sleepers.length).to.be.greaterThan(0);
    const frameworkIds = new Set(ha.history().flatMap((r) => (r.kind === 'subscribed' ? [r.framework_id] : [])));
    await ha.framework!.kill('SIGKILL');
    const lines = ha.history().length;
    ha.startFramework();
    await eventually('the restarted scheduler subscribes', () => ha.history().slice(lines).some((r) => r.kind === 'subscribed'), 30_000, 100);
    const after = ha.history().slice(lines);
    const subscribed = after.find((r) => r.kind === 'subscribed')!;
    expect(subscribed.kind === 'subscribed' && frameworkIds.has(subscribed.framework_id), 'the same framework id').to.equal(true);
    // Reconciliation answers every sleeper it had with RUNNING.
    await eventually('reconciliation reports every sleeper RUNNING', () => {
      const running = new Set(ha.history().slice(lines).flatMap((r) => (r.kind === 'update' && r.state === 'TASK_RUNNING' ? [r.task_id] : [])));
      return sleepers.every((id) => running.has(id));
    }, 30_000, 100);
    await ha.quiesce();
    const violations = ha.check();
    expect(violations, ha.explain(violations)).to.deep.equal([]);
  });

  it('waits out the lease of a leader that is stopped but still connected (SIGSTOP), and the resumed one steps down', async () => {
    const old = await ha.waitForLeader();
    const child = ha.masters.get(old.name)!;
    const stepDowns = child.logLinesWith('no longer the leader');
    const stoppedAt = performance.now();
    child.signal('SIGSTOP');
    try {
      const next = await ha.waitForLeader(4 * ha.leaseMs, old.record);
      const tookMs = performance.now() - stoppedAt;
      expect(next.name).to.not.equal(old.name);
      // Its node is still subscribed: no "gone" answer, so the lease runs out (less the renewal it may have just missed).
      expect(tookMs, `new leader after ${Math.round(tookMs)} ms`).to.be.at.least(ha.leaseMs * 0.7);
      child.signal('SIGCONT');
      await eventually(`${old.name} steps down once it runs again`, () => child.logLinesWith('no longer the leader') > stepDowns, 10_000, 50);
      expect((await ha.leader())?.epoch, 'the new leader keeps the lease').to.equal(next.record.epoch);
      await expectInvariants();
    } finally {
      child.signal('SIGCONT');
    }
  });
});
