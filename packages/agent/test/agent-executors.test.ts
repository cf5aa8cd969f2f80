import { expect } from 'chai';
import type { TaskInfo } from '@tessera/protocol';
import { FakeExecutor, commandTask, framework, registeredCluster, type Cluster } from './support.js';

const customTask = (id: string, executorId = 'custom-exec'): TaskInfo => {
  const { command: _command, ...task } = commandTask(id);
  return { ...task, executor: { executor_id: { value: executorId }, command: { value: './my-executor --fast', environment: { variables: [{ name: 'MODE', value: 'x' }] } } } };
};

describe('agent executors', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  async function runTask(c: Cluster, task: TaskInfo = commandTask('t1')): Promise<void> {
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task });
    await c.settle();
  }

  it('fails the live tasks of an executor that exits, after the updates before it', async () => {
    cluster = await registeredCluster();
    await runTask(cluster);
    const executor = cluster.host.executors.get('t1')!;
    executor.update('t1', 'TASK_RUNNING');
    await cluster.settle();
    executor.exit();
    await cluster.settle();
    const states = cluster.master.got('agent.StatusUpdate').map((u) => u.status.state);
    // The failure waits behind the unacknowledged RUNNING, in order.
    expect(states).to.deep.equal(['TASK_RUNNING']);
    cluster.master.tell(cluster.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: { value: 't1' }, uuid: cluster.master.got('agent.StatusUpdate')[0]!.status.uuid! });
    await cluster.settle();
    const failed = cluster.master.got('agent.StatusUpdate')[1]!.status;
    expect(failed).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_TERMINATED', source: 'SOURCE_AGENT' });
    expect(failed.message).to.match(/^Executor exited \(terminated\)/);
    // As Mesos: a command executor is the agent's own; the master hears of its end through the task.
    expect(cluster.master.got('agent.ExecutorExited')).to.deep.equal([]);
  });

  it('leaves alone the tasks of an exited executor that had already ended', async () => {
    cluster = await registeredCluster();
    await runTask(cluster);
    const executor = cluster.host.executors.get('t1')!;
    executor.update('t1', 'TASK_FINISHED');
    executor.exit();
    await cluster.settle();
    expect(cluster.master.got('agent.StatusUpdate').map((u) => u.status.state)).to.deep.equal(['TASK_FINISHED']);
    await cluster.advance(15_000);
    expect(cluster.master.got('agent.StatusUpdate').map((u) => u.status.state)).to.deep.equal(['TASK_FINISHED', 'TASK_FINISHED']);
  });

  it('tells the master when a task group\'s executor exits', async () => {
    cluster = await registeredCluster();
    cluster.master.tell(cluster.agent.pid, 'agent.RunTaskGroup', {
      framework: framework(), executor: { executor_id: { value: 'pod' }, type: 'DEFAULT' }, tasks: [commandTask('a'), commandTask('b')],
    });
    await cluster.settle();
    cluster.host.executors.get('pod')!.exit();
    await cluster.settle();
    expect(cluster.master.got('agent.ExecutorExited')).to.deep.equal([{ framework_id: { value: 'F1' }, executor_id: { value: 'pod' }, status: 0 }]);
    expect(cluster.master.got('agent.StatusUpdate').map((u) => [u.status.task_id.value, u.status.state])).to.deep.equal([['a', 'TASK_FAILED'], ['b', 'TASK_FAILED']]);
  });

  it('destroys an executor that does not subscribe within the registration timeout', async () => {
    cluster = await registeredCluster({ agent: { executorRegistrationTimeoutMs: 30_000 } });
    cluster.host.subscribe = false;
    await runTask(cluster);
    await cluster.advance(29_000, 1_000);
    expect(cluster.master.got('agent.StatusUpdate')).to.have.length(0);
    await cluster.advance(2_000, 1_000);
    const [update] = cluster.master.got('agent.StatusUpdate');
    expect(update!.status).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_REGISTRATION_TIMEOUT' });
    expect(cluster.host.executors.get('t1')!.eventsOf('SHUTDOWN')).to.have.length(1);
  });

  it('fails the task when the host cannot spawn its executor', async () => {
    cluster = await registeredCluster();
    cluster.host.failWith = 'no such directory';
    await runTask(cluster);
    const [update] = cluster.master.got('agent.StatusUpdate');
    expect(update!.status).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED' });
    expect(update!.status.message).to.contain('no such directory');
  });

  it('starts another host once when the one it had is gone', async () => {
    cluster = await registeredCluster();
    const realHost = cluster.host.pid;
    const hosts = [`executor-host-gone@host-node`, realHost];
    const launcher = cluster.hostLauncher;
    launcher.hostFor = async () => hosts.shift() ?? realHost;
    await runTask(cluster);
    expect(launcher.forgotten).to.deep.equal(['executor-host-gone@host-node']);
    expect(cluster.host.executors.get('t1')!.eventsOf('LAUNCH')).to.have.length(1);
  });

  it('shuts an executor down on request and destroys it after its grace period if it stays', async () => {
    cluster = await registeredCluster({ agent: { executorShutdownGracePeriodMs: 2_000 } });
    await runTask(cluster);
    const executor = cluster.host.executors.get('t1')!;
    cluster.master.tell(cluster.agent.pid, 'agent.ShutdownExecutor', { framework_id: { value: 'F1' }, executor_id: { value: 't1' } });
    await cluster.settle();
    expect(executor.eventsOf('SHUTDOWN')).to.have.length(1);
    // Grace period 2 s plus a 1 s margin.
    await cluster.advance(2_500, 500);
    expect(cluster.master.got('agent.StatusUpdate')).to.have.length(0);
    await cluster.advance(1_000, 500);
    expect(cluster.master.got('agent.StatusUpdate').map((u) => u.status.state)).to.deep.equal(['TASK_FAILED']);
    // A task for the same executor id later gets a fresh run.
    cluster.master.tell(cluster.agent.pid, 'agent.RunTask', { framework: framework(), task: customTask('t2', 't1') });
    await cluster.settle();
    expect(cluster.processLauncher.launched).to.have.length(1);
  });

  it('shuts down every executor of a framework, sends no updates for it, and forgets it', async () => {
    cluster = await registeredCluster();
    await runTask(cluster, commandTask('a'));
    await runTask(cluster, commandTask('b'));
    cluster.master.tell(cluster.agent.pid, 'agent.ShutdownFramework', { framework_id: { value: 'F1' } });
    await cluster.settle();
    for (const id of ['a', 'b']) {
      const executor = cluster.host.executors.get(id)!;
      expect(executor.eventsOf('SHUTDOWN')).to.have.length(1);
      // The executor reports its task killed: nobody upstream wants it, the agent acknowledges it.
      executor.update(id, 'TASK_KILLED');
      await cluster.settle();
      expect(executor.eventsOf('ACKNOWLEDGED')).to.have.length(1);
      executor.exit();
    }
    await cluster.settle();
    expect(cluster.master.got('agent.StatusUpdate')).to.have.length(0);
    await cluster.master.ping(cluster.agent.pid, false);
    await cluster.advance(1_000, 100);
    const [rereg] = cluster.master.got('agent.Reregister');
    expect(rereg!.frameworks).to.deep.equal([]);
    expect(rereg!.tasks).to.deep.equal([]);
  });

  it('carries framework messages both ways', async () => {
    cluster = await registeredCluster();
    await runTask(cluster);
    const executor = cluster.host.executors.get('t1')!;
    cluster.master.tell(cluster.agent.pid, 'agent.FrameworkMessage', { framework_id: { value: 'F1' }, executor_id: { value: 't1' }, agent_id: { value: 'S0' }, data: 'aGk=' });
    executor.message('aG8=');
    await cluster.settle();
    expect(executor.eventsOf('MESSAGE').map((e) => e.message)).to.deep.equal([{ data: 'aGk=' }]);
    expect(cluster.master.got('agent.FrameworkMessage')).to.deep.equal([
      { framework_id: { value: 'F1' }, executor_id: { value: 't1' }, agent_id: { value: 'S0' }, data: 'aG8=' },
    ]);
  });

  it('starts a custom executor as a process with the executor environment, and reuses it for its next task', async () => {
    cluster = await registeredCluster({ agent: { nats: { url: 'nats://127.0.0.1:4222', cluster: 'c1' } } });
    await runTask(cluster, customTask('t1'));
    await runTask(cluster, customTask('t2'));
    expect(cluster.processLauncher.launched).to.have.length(1);
    const [{ spec, executor }] = cluster.processLauncher.launched as [typeof cluster.processLauncher.launched[0]];
    expect(spec.command.value).to.equal('./my-executor --fast');
    expect(spec.environment).to.include({
      TESSERA_NATS_URL: 'nats://127.0.0.1:4222', TESSERA_CLUSTER: 'c1', TESSERA_AGENT: cluster.agent.pid,
      TESSERA_FRAMEWORK_ID: 'F1', TESSERA_EXECUTOR_ID: 'custom-exec', TESSERA_SANDBOX: spec.directory,
      MESOS_FRAMEWORK_ID: 'F1', MESOS_EXECUTOR_ID: 'custom-exec', MESOS_SANDBOX: spec.directory, MESOS_DIRECTORY: spec.directory, MODE: 'x',
    });
    expect(executor.eventsOf('LAUNCH').map((e) => e.launch!.task.task_id.value)).to.deep.equal(['t1', 't2']);
    expect(cluster.host.spawns).to.have.length(0);
  });

  it('fails the tasks of a custom executor whose process exits, naming the exit status', async () => {
    cluster = await registeredCluster();
    await runTask(cluster, customTask('t1'));
    cluster.processLauncher.launched[0]!.end({ code: 3, signal: null });
    await cluster.settle();
    const [update] = cluster.master.got('agent.StatusUpdate');
    expect(update!.status).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_TERMINATED', message: 'Executor exited with status 3' });
    expect(cluster.master.got('agent.ExecutorExited')).to.deep.equal([{ framework_id: { value: 'F1' }, executor_id: { value: 'custom-exec' }, status: 3 }]);
  });

  it('lists a custom executor and its tasks when re-registering', async () => {
    cluster = await registeredCluster();
    await runTask(cluster, customTask('t1'));
    await cluster.master.ping(cluster.agent.pid, false);
    await cluster.advance(1_000, 100);
    const [rereg] = cluster.master.got('agent.Reregister');
    expect(rereg!.executors.map((e) => e.executor_info.executor_id.value)).to.deep.equal(['custom-exec']);
    expect(rereg!.tasks[0]!.executor_id).to.deep.equal({ value: 'custom-exec' });
  });

  it('tells an executor it does not run to shut down', async () => {
    cluster = await registeredCluster();
    const stray = cluster.hostRuntime.spawn(new FakeExecutor('stray', cluster.agent.pid, 'F1', 'nobody'));
    await cluster.settle();
    expect(stray.events.map((e) => e.type)).to.deep.equal(['SHUTDOWN']);
  });

  it('stops with its executors: shuts them down, then the hosts, then itself', async () => {
    cluster = await registeredCluster();
    await runTask(cluster);
    await runTask(cluster, customTask('t2'));
    const stopped = cluster.agent.stop({ shutdownExecutors: true });
    await cluster.settle();
    expect(cluster.host.executors.get('t1')!.eventsOf('SHUTDOWN')).to.have.length(1);
    expect(cluster.processLauncher.launched[0]!.executor.eventsOf('SHUTDOWN')).to.have.length(1);
    await cluster.advance(6_000, 500);
    await stopped;
    expect(cluster.processLauncher.launched[0]!.signals).to.deep.equal(['SIGKILL']);
    expect(cluster.hostLauncher.shutdowns).to.equal(1);
    expect(cluster.agentRuntime.processes()).to.not.include(cluster.agent.pid);
  });
});
