import { expect } from 'chai';
import { ManualClock, MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { ExecutorDriver, type ExecutorCallbacks, type ExecutorDriverOptions } from '../src/executor-driver.js';
import { commandTask, FakeAgent } from './fake-agent.js';

/** An agent node and an executor node on one memory network, on a manual clock. */
async function setup(options: Partial<ExecutorDriverOptions> = {}, agentSetup: (agent: FakeAgent) => void = () => {}) {
  const clock = new ManualClock();
  const network = new MemoryNetwork();
  const logger = memoryLogger();
  const agentRuntime = await Runtime.create({ transport: network.transport('agent-node'), clock, logger, random: new Random(1) });
  const executorRuntime = await Runtime.create({ transport: network.transport('executor-node'), clock, logger, random: new Random(2) });
  const agent = new FakeAgent('agent');
  agentSetup(agent);
  agentRuntime.spawn(agent);
  const seen: string[] = [];
  const callbacks: ExecutorCallbacks = {
    subscribed: (info) => { seen.push(`subscribed ${info.agent_info.hostname}`); },
    launch: (task) => { seen.push(`launch ${task.task_id.value}`); },
    kill: (taskId, policy) => { seen.push(`kill ${taskId} ${policy?.grace_period?.nanoseconds ?? 'default'}`); },
    acknowledged: (taskId) => { seen.push(`acknowledged ${taskId}`); },
    message: (data) => { seen.push(`message ${data}`); },
    error: (message) => { seen.push(`error ${message}`); },
  };
  const driver = executorRuntime.spawn(new ExecutorDriver({
    name: 'executor-7', agent: agent.pid, frameworkId: 'f1', executorId: 'e1', ...options, callbacks: { ...callbacks, ...options.callbacks },
  }));
  await clock.settle();
  /** Moves time in small steps, letting every timer's work run before the next step. */
  const run = async (ms: number, step = 100): Promise<void> => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await clock.settle();
    }
  };
  return { clock, network, logger, agentRuntime, executorRuntime, agent, driver, seen, run };
}

describe('ExecutorDriver', () => {
  it('subscribes from its own pid as soon as it is spawned, and reports SUBSCRIBED', async () => {
    const { agent, driver, seen } = await setup();
    const subscribes = agent.callsOf('SUBSCRIBE');
    expect(subscribes).to.have.length(1);
    expect(subscribes[0]!.from).to.equal('executor-7@executor-node');
    expect(subscribes[0]!.call).to.deep.include({ executor_id: { value: 'e1' }, framework_id: { value: 'f1' } });
    expect(subscribes[0]!.call.subscribe).to.deep.equal({ unacknowledged_tasks: [], unacknowledged_updates: [] });
    expect(driver.subscribed).to.equal(true);
    expect(seen).to.deep.equal(['subscribed localhost']);
  });

  it('retries SUBSCRIBE with back-off doubling from 1 s to 30 s, with at most 50% jitter, until SUBSCRIBED', async () => {
    const { agent, run } = await setup({}, (a) => { a.autoSubscribe = false; });
    await run(100_000);
    const times = agent.callsOf('SUBSCRIBE').map((c) => c.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const bases = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];
    expect(gaps.length).to.be.at.least(bases.length);
    // Each wait is base * (1 + jitter/2), seen at the 100 ms granularity the test steps time in.
    bases.forEach((base, i) => expect(gaps[i]).to.be.within(base, base * 1.5 + 100));
  });

  it('fills an update with uuid (16 bytes, base64), source, executor_id and timestamp (clock seconds)', async () => {
    const { clock, agent, driver, run } = await setup();
    await run(2_500);
    const uuid = driver.sendStatusUpdate({ task_id: { value: 't1' }, state: 'TASK_RUNNING', message: 'up' });
    await clock.settle();
    const [status] = agent.updates();
    expect(Buffer.from(uuid, 'base64')).to.have.length(16);
    expect(status).to.deep.equal({
      task_id: { value: 't1' }, state: 'TASK_RUNNING', message: 'up', uuid,
      source: 'SOURCE_EXECUTOR', executor_id: { value: 'e1' }, timestamp: 2.5,
    });
  });

  it('refuses a malformed status update instead of sending it', async () => {
    const { driver, agent } = await setup();
    expect(() => driver.sendStatusUpdate({ task_id: { value: 't1' }, state: 'TASK_BOGUS' as never })).to.throw(/invalid status update of task t1/);
    expect(agent.updates()).to.deep.equal([]);
  });

  it('resends an unacknowledged update every 10 s, and no more once it is acknowledged', async () => {
    const { clock, agent, driver, run } = await setup({}, (a) => { a.autoAcknowledge = false; });
    const uuid = driver.sendStatusUpdate({ task_id: { value: 't1' }, state: 'TASK_RUNNING' });
    await clock.settle();
    await run(9_900);
    expect(agent.updates()).to.have.length(1);
    await run(100);
    expect(agent.updates().map((s) => s.uuid)).to.deep.equal([uuid, uuid]);
    await run(10_000);
    expect(agent.updates()).to.have.length(3);
    agent.acknowledge(driver.pid, agent.updates()[0]!);
    await clock.settle();
    await run(60_000, 1_000);
    expect(agent.updates()).to.have.length(3);
    expect(driver.unacknowledgedUpdates()).to.deep.equal([]);
  });

  it('resubscribes when the agent goes away, replaying unacknowledged tasks and updates', async () => {
    const { clock, agentRuntime, agent, driver, run } = await setup({}, (a) => { a.autoAcknowledge = false; });
    const task = commandTask('t1', 'sleep 1');
    agent.launch(driver.pid, task);
    await clock.settle();
    const uuid = driver.sendStatusUpdate({ task_id: { value: 't1' }, state: 'TASK_RUNNING' });
    await clock.settle();
    agentRuntime.terminate(agent.pid);
    await clock.settle();
    expect(driver.subscribed).to.equal(false);
    const successor = agentRuntime.spawn(new FakeAgent('agent'));
    await run(3_000);
    const [subscribe] = successor.callsOf('SUBSCRIBE');
    expect(subscribe?.from).to.equal(driver.pid);
    expect(subscribe!.call.subscribe!.unacknowledged_tasks).to.deep.equal([task]);
    expect(subscribe!.call.subscribe!.unacknowledged_updates!.map((u) => u.status.uuid)).to.deep.equal([uuid]);
    // Sent again as an UPDATE after SUBSCRIBED, and acknowledged by the new agent this time.
    expect(successor.updates().map((s) => s.uuid)).to.deep.equal([uuid]);
    expect(driver.subscribed).to.equal(true);
    expect(driver.unacknowledgedUpdates()).to.deep.equal([]);
  });

  it('keeps updates made while disconnected and sends them once subscribed again', async () => {
    const { clock, agentRuntime, agent, driver, run } = await setup();
    agentRuntime.terminate(agent.pid);
    await clock.settle();
    const uuid = driver.sendStatusUpdate({ task_id: { value: 't1' }, state: 'TASK_FINISHED' });
    const successor = agentRuntime.spawn(new FakeAgent('agent'));
    await run(3_000);
    expect(successor.updates().map((s) => s.uuid)).to.deep.equal([uuid]);
  });

  it('subscribes again at once when a restarted agent sends HEARTBEAT, instead of waiting out its back-off', async () => {
    const { clock, agentRuntime, agent, driver, run } = await setup();
    agentRuntime.terminate(agent.pid);
    await clock.settle();
    // Lost for a while: the next SUBSCRIBE attempt is seconds away by now.
    await run(20_000, 1_000);
    const pending = driver.sendStatusUpdate({ task_id: { value: 't1' }, state: 'TASK_RUNNING' });
    const restarted = agentRuntime.spawn(new FakeAgent('agent'));
    await clock.settle();
    restarted.event(driver.pid, { type: 'HEARTBEAT' });
    await clock.settle();
    expect(restarted.callsOf('SUBSCRIBE')).to.have.length(1);
    expect(driver.subscribed).to.equal(true);
    expect(restarted.updates().map((s) => s.uuid)).to.include(pending);
  });

  it('subscribes again on HEARTBEAT even when it never noticed the agent go (a restart quicker than node-loss detection)', async () => {
    const { clock, agent, driver } = await setup();
    agent.event(driver.pid, { type: 'HEARTBEAT' });
    await clock.settle();
    expect(agent.callsOf('SUBSCRIBE')).to.have.length(2);
    expect(driver.subscribed).to.equal(true);
  });

  it('shuts down when the agent stays away past the recovery timeout', async () => {
    const shutdowns: string[] = [];
    const { clock, agentRuntime, agent, run } = await setup({ recoveryTimeoutMs: 60_000, callbacks: { launch: () => {}, kill: () => {}, shutdown: () => { shutdowns.push('shutdown'); } } });
    agentRuntime.terminate(agent.pid);
    await clock.settle();
    await run(59_000, 500);
    expect(shutdowns).to.deep.equal([]);
    await run(1_500, 500);
    expect(shutdowns).to.deep.equal(['shutdown']);
  });

  it('hands each event to its callback, and a task group to launch when there is no launchGroup', async () => {
    const { clock, agent, driver, seen } = await setup();
    agent.launch(driver.pid, commandTask('t1', 'true'));
    agent.launchGroup(driver.pid, [commandTask('g1', 'true'), commandTask('g2', 'true')]);
    agent.kill(driver.pid, 't1', 250);
    agent.kill(driver.pid, 'g1');
    agent.event(driver.pid, { type: 'MESSAGE', message: { data: 'aGk=' } });
    agent.event(driver.pid, { type: 'ERROR', error: { message: 'boom' } });
    await clock.settle();
    expect(seen).to.deep.equal([
      'subscribed localhost', 'launch t1', 'launch g1', 'launch g2', 'kill t1 250000000', 'kill g1 default', 'message aGk=', 'error boom',
    ]);
  });

  it('reports an acknowledgement of its own update, and ignores one of an unknown uuid', async () => {
    const { clock, agent, driver, seen } = await setup();
    driver.sendStatusUpdate({ task_id: { value: 't1' }, state: 'TASK_RUNNING' });
    await clock.settle();
    agent.event(driver.pid, { type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid: 'bm90IG1pbmU=' } });
    await clock.settle();
    expect(seen).to.deep.equal(['subscribed localhost', 'acknowledged t1']);
  });

  it('ignores events from anyone but its agent', async () => {
    const { clock, agentRuntime, driver, seen, logger } = await setup();
    const stranger = agentRuntime.spawn(new FakeAgent('stranger'));
    stranger.launch(driver.pid, commandTask('t1', 'true'));
    await clock.settle();
    expect(seen).to.deep.equal(['subscribed localhost']);
    expect(logger.lines.some((l) => l.message.includes('ignored LAUNCH from stranger@agent-node'))).to.equal(true);
  });

  it('stops on SHUTDOWN when the executor has no shutdown callback', async () => {
    const { clock, agent, driver, executorRuntime } = await setup();
    agent.shutdown(driver.pid);
    await clock.settle();
    expect(executorRuntime.processes()).to.not.include(driver.pid);
  });

  it('sends a framework message only while subscribed', async () => {
    const { clock, agentRuntime, agent, driver } = await setup();
    expect(driver.sendMessage('aGk=')).to.equal(true);
    await clock.settle();
    expect(agent.callsOf('MESSAGE').map((c) => c.call.message)).to.deep.equal([{ data: 'aGk=' }]);
    agentRuntime.terminate(agent.pid);
    await clock.settle();
    expect(driver.sendMessage('aGk=')).to.equal(false);
  });

  it('refuses an agent that is not a pid', () => {
    expect(() => new ExecutorDriver({ agent: 'agent', frameworkId: 'f1', executorId: 'e1', callbacks: { launch: () => {}, kill: () => {} } }))
      .to.throw(/not a pid/);
  });
});
