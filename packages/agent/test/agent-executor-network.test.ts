import { expect } from 'chai';
import { commandTask, framework, registeredCluster, type Cluster } from './support.js';

/**
 * A hosted executor the network hides from the agent (the NATS server one of them is connected
 * to died) still runs on the same machine: its tasks must not be killed for a network blip.
 */
describe('agent: a hosted executor out of reach over the network', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  /** A cluster running task t1, RUNNING and acknowledged. */
  async function runningTask(options: Parameters<typeof registeredCluster>[0] = {}): Promise<Cluster> {
    const c = await registeredCluster(options);
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('t1') });
    await c.settle();
    c.host.executors.get('t1')!.update('t1', 'TASK_RUNNING');
    await c.settle();
    const running = c.master.got('agent.StatusUpdate')[0]!.status;
    c.master.tell(c.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: { value: 't1' }, uuid: running.uuid! });
    await c.settle();
    return c;
  }

  const states = (c: Cluster): string[] => c.master.got('agent.StatusUpdate').map((u) => u.status.state);

  it('keeps the run while its host is cut off, asks the executor to subscribe again, and goes on with it', async () => {
    cluster = await runningTask();
    const executor = cluster.host.executors.get('t1')!;
    cluster.network.disconnect('host-node');
    await cluster.advance(5_000);
    expect(states(cluster), 'no update while the host is out of reach').to.deep.equal(['TASK_RUNNING']);
    cluster.network.reconnect('host-node');
    await cluster.advance(1_000);
    expect(executor.eventsOf('HEARTBEAT').length, 'asked to subscribe again').to.be.greaterThan(0);
    executor.subscribe();
    await cluster.settle();
    const heartbeats = executor.eventsOf('HEARTBEAT').length;
    await cluster.advance(3_000);
    expect(executor.eventsOf('HEARTBEAT').length, 'no more asking once subscribed').to.equal(heartbeats);
    executor.update('t1', 'TASK_FINISHED');
    await cluster.settle();
    expect(states(cluster)).to.deep.equal(['TASK_RUNNING', 'TASK_FINISHED']);
  });

  it('keeps the run when the agent itself is cut off for a while', async () => {
    cluster = await runningTask();
    const executor = cluster.host.executors.get('t1')!;
    cluster.network.disconnect('agent-node');
    await cluster.advance(5_000);
    cluster.network.reconnect('agent-node');
    await cluster.advance(1_000);
    executor.subscribe();
    await cluster.advance(1_000);
    executor.update('t1', 'TASK_FINISHED');
    await cluster.advance(1_000);
    expect(states(cluster).filter((s) => s !== 'TASK_RUNNING')).to.deep.equal(['TASK_FINISHED']);
  });

  it('destroys the run, failing its task, when the executor stays out of reach past the reconnect timeout', async () => {
    cluster = await runningTask({ agent: { executorReconnectTimeoutMs: 10_000 } });
    cluster.network.disconnect('host-node');
    await cluster.advance(9_500);
    expect(states(cluster)).to.deep.equal(['TASK_RUNNING']);
    await cluster.advance(1_000);
    const failed = cluster.master.got('agent.StatusUpdate')[1]?.status;
    expect(failed).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT', source: 'SOURCE_AGENT' });
    expect(failed?.message).to.match(/out of reach over the network for 10000 ms/);
  });

  it('ends the run at once when the host is known to have exited', async () => {
    cluster = await runningTask();
    cluster.hostLauncher.hostGone = true;
    cluster.network.disconnect('host-node');
    await cluster.settle();
    expect(states(cluster)).to.deep.equal(['TASK_RUNNING', 'TASK_FAILED']);
  });
});
