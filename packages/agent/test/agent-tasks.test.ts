import { expect } from 'chai';
import { existsSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { Peer, commandTask, framework, registeredCluster, type Cluster } from './support.js';

describe('agent tasks and status updates', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  async function runTask(c: Cluster, id = 't1'): Promise<void> {
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask(id) });
    await c.settle();
  }

  it('creates the run sandbox, asks the host to spawn a command executor, and launches the task once it subscribes', async () => {
    cluster = await registeredCluster();
    cluster.host.subscribe = false;
    await runTask(cluster);
    const [spawn] = cluster.host.spawns;
    expect(spawn!.executor_info.executor_id.value).to.equal('t1');
    expect(spawn!.agent).to.equal(cluster.agent.pid);
    const runs = path.join(cluster.workDir, 'agents', 'S0', 'frameworks', 'F1', 'executors', 't1', 'runs');
    expect(path.dirname(spawn!.directory)).to.equal(runs);
    expect(existsSync(spawn!.directory)).to.equal(true);
    expect(readlinkSync(path.join(runs, 'latest'))).to.equal(path.basename(spawn!.directory));
    // Limits of a command task ride in the Spawn's container (the posix default): 1024 files, 64 MB of data.
    const env = Object.fromEntries(spawn!.environment!.variables.map((v) => [v.name, v.value]));
    expect(env).to.include({ MESOS_EXECUTOR_ID: 't1' });
    expect(Object.keys(env).filter((name) => name.startsWith('TESSERA_RLIMIT'))).to.deep.equal([]);
    expect(spawn!.container).to.deep.equal({
      rlimits: [{ type: 'RLMT_NOFILE', soft: 1024, hard: 1024 }, { type: 'RLMT_DATA', soft: 64 * 1024 * 1024, hard: 64 * 1024 * 1024 }],
    });
    expect(spawn!.shutdown_grace_period_ms).to.equal(5_000);

    const executor = cluster.host.executors.get('t1')!;
    expect(executor.events).to.deep.equal([]);
    executor.subscribe();
    await cluster.settle();
    expect(executor.events.map((e) => e.type)).to.deep.equal(['SUBSCRIBED', 'LAUNCH']);
    expect(executor.events[0]!.subscribed!.agent_info.id).to.deep.equal({ value: 'S0' });
    expect(executor.events[1]!.launch!.task.task_id.value).to.equal('t1');
  });

  it('forwards an executor update to the master stamped with the agent, and resends it until acknowledged', async () => {
    cluster = await registeredCluster();
    await runTask(cluster);
    const executor = cluster.host.executors.get('t1')!;
    const uuid = executor.update('t1', 'TASK_RUNNING');
    await cluster.settle();
    const [update] = cluster.master.got('agent.StatusUpdate');
    expect(update!.framework_id.value).to.equal('F1');
    expect(update!.status).to.deep.include({ state: 'TASK_RUNNING', uuid, agent_id: { value: 'S0' }, executor_id: { value: 't1' }, source: 'SOURCE_EXECUTOR' });
    // Resent at 10 s, then 20 s later.
    await cluster.advance(10_000);
    expect(cluster.master.got('agent.StatusUpdate')).to.have.length(2);
    await cluster.advance(20_000);
    expect(cluster.master.got('agent.StatusUpdate')).to.have.length(3);

    cluster.master.tell(cluster.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: { value: 't1' }, uuid });
    await cluster.settle();
    expect(executor.eventsOf('ACKNOWLEDGED').map((e) => e.acknowledged)).to.deep.equal([{ task_id: { value: 't1' }, uuid }]);
    await cluster.advance(700_000, 10_000);
    expect(cluster.master.got('agent.StatusUpdate')).to.have.length(3);
  });

  it('sends a task\'s next update only after the one before is acknowledged', async () => {
    cluster = await registeredCluster();
    await runTask(cluster);
    const executor = cluster.host.executors.get('t1')!;
    const running = executor.update('t1', 'TASK_RUNNING');
    const finished = executor.update('t1', 'TASK_FINISHED');
    await cluster.settle();
    expect(cluster.master.got('agent.StatusUpdate').map((u) => u.status.uuid)).to.deep.equal([running]);
    cluster.master.tell(cluster.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: { value: 't1' }, uuid: running });
    await cluster.settle();
    expect(cluster.master.got('agent.StatusUpdate').map((u) => u.status.uuid)).to.deep.equal([running, finished]);
  });

  it('ignores a duplicate update, and re-acknowledges one already acknowledged', async () => {
    cluster = await registeredCluster();
    await runTask(cluster);
    const executor = cluster.host.executors.get('t1')!;
    const uuid = executor.update('t1', 'TASK_RUNNING');
    executor.update('t1', 'TASK_RUNNING', uuid);
    await cluster.settle();
    expect(cluster.master.got('agent.StatusUpdate')).to.have.length(1);
    cluster.master.tell(cluster.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: { value: 't1' }, uuid });
    await cluster.settle();
    // The executor did not hear the ack (say it was lost) and resends: it hears it again.
    executor.update('t1', 'TASK_RUNNING', uuid);
    await cluster.settle();
    expect(cluster.master.got('agent.StatusUpdate')).to.have.length(1);
    expect(executor.eventsOf('ACKNOWLEDGED')).to.have.length(2);
  });

  it('forgets a task once its terminal update is acknowledged, and its framework once nothing is left', async () => {
    cluster = await registeredCluster();
    await runTask(cluster);
    const executor = cluster.host.executors.get('t1')!;
    const uuid = executor.update('t1', 'TASK_FINISHED');
    await cluster.settle();
    cluster.master.tell(cluster.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: { value: 't1' }, uuid });
    await cluster.settle();
    // The command executor ends itself once its last task is acknowledged.
    executor.exit();
    await cluster.settle();
    await cluster.master.ping(cluster.agent.pid, false);
    await cluster.advance(1_000, 100);
    const [rereg] = cluster.master.got('agent.Reregister');
    expect(rereg!.frameworks).to.deep.equal([]);
    expect(rereg!.tasks).to.deep.equal([]);
    expect(cluster.master.got('agent.StatusUpdate')).to.have.length(1);
  });

  it('reports a task killed while queued as TASK_KILLED and does not keep its executor', async () => {
    cluster = await registeredCluster();
    cluster.host.subscribe = false;
    await runTask(cluster);
    cluster.master.tell(cluster.agent.pid, 'agent.KillTask', { framework_id: { value: 'F1' }, task_id: { value: 't1' } });
    await cluster.settle();
    const [update] = cluster.master.got('agent.StatusUpdate');
    expect(update!.status).to.deep.include({
      state: 'TASK_KILLED', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', source: 'SOURCE_AGENT', executor_id: { value: 't1' },
    });
    expect(Buffer.from(update!.status.uuid!, 'base64')).to.have.length(16);
    expect(cluster.host.executors.get('t1')!.eventsOf('SHUTDOWN')).to.have.length(1);
    // It never reaches the executor, even if that subscribes late.
    cluster.host.executors.get('t1')!.subscribe();
    await cluster.settle();
    expect(cluster.host.executors.get('t1')!.eventsOf('LAUNCH')).to.have.length(0);
  });

  it('passes a kill of a launched task to its executor, with the kill policy', async () => {
    cluster = await registeredCluster();
    await runTask(cluster);
    const policy = { grace_period: { nanoseconds: 2_000_000_000 } };
    cluster.master.tell(cluster.agent.pid, 'agent.KillTask', { framework_id: { value: 'F1' }, task_id: { value: 't1' }, kill_policy: policy });
    await cluster.settle();
    expect(cluster.host.executors.get('t1')!.eventsOf('KILL').map((e) => e.kill)).to.deep.equal([{ task_id: { value: 't1' }, kill_policy: policy }]);
    expect(cluster.master.got('agent.StatusUpdate')).to.have.length(0);
  });

  it('answers a kill of a task it does not have with TASK_LOST', async () => {
    cluster = await registeredCluster();
    cluster.master.tell(cluster.agent.pid, 'agent.KillTask', { framework_id: { value: 'F9' }, task_id: { value: 'ghost' } });
    await cluster.settle();
    const [update] = cluster.master.got('agent.StatusUpdate');
    expect(update!.status).to.deep.include({ task_id: { value: 'ghost' }, state: 'TASK_LOST', reason: 'REASON_EXECUTOR_TERMINATED', source: 'SOURCE_AGENT' });
  });

  it('refuses an invalid task with TASK_ERROR and starts nothing', async () => {
    cluster = await registeredCluster();
    const task = { ...commandTask('bad'), executor: { executor_id: { value: 'e' }, command: { value: 'x' } } };
    cluster.master.tell(cluster.agent.pid, 'agent.RunTask', { framework: framework(), task });
    await cluster.settle();
    expect(cluster.master.got('agent.StatusUpdate').map((u) => [u.status.state, u.status.reason])).to.deep.equal([['TASK_ERROR', 'REASON_TASK_INVALID']]);
    expect(cluster.host.spawns).to.have.length(0);
  });

  it('ignores orders that do not come from its master', async () => {
    cluster = await registeredCluster();
    const stranger = cluster.masterRuntime.spawn(new Peer('stranger'));
    stranger.tell(cluster.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('t1') });
    await cluster.settle();
    expect(cluster.host.spawns).to.have.length(0);
  });

  it('sends a task group to one default executor as LAUNCH_GROUP', async () => {
    cluster = await registeredCluster();
    cluster.master.tell(cluster.agent.pid, 'agent.RunTaskGroup', {
      framework: framework(), executor: { executor_id: { value: 'pod' }, type: 'DEFAULT' }, tasks: [commandTask('a'), commandTask('b')],
    });
    await cluster.settle();
    const [spawn] = cluster.host.spawns;
    expect(spawn!.executor_info).to.deep.include({ executor_id: { value: 'pod' }, type: 'DEFAULT' });
    // The group's memory is the whole container's (both tasks'), not any one task's.
    expect(spawn!.container!.rlimits).to.deep.include({ type: 'RLMT_DATA', soft: 128 * 1024 * 1024, hard: 128 * 1024 * 1024 });
    const group = cluster.host.executors.get('pod')!.eventsOf('LAUNCH_GROUP');
    expect(group.map((e) => e.launch_group!.task_group.tasks.map((t) => t.task_id.value))).to.deep.equal([['a', 'b']]);
  });

  it('kills a whole queued task group when one of its tasks is killed', async () => {
    cluster = await registeredCluster();
    cluster.host.subscribe = false;
    cluster.master.tell(cluster.agent.pid, 'agent.RunTaskGroup', {
      framework: framework(), executor: { executor_id: { value: 'pod' }, type: 'DEFAULT' }, tasks: [commandTask('a'), commandTask('b')],
    });
    await cluster.settle();
    cluster.master.tell(cluster.agent.pid, 'agent.KillTask', { framework_id: { value: 'F1' }, task_id: { value: 'a' } });
    await cluster.settle();
    const updates = cluster.master.got('agent.StatusUpdate').map((u) => [u.status.task_id.value, u.status.state]);
    expect(updates).to.deep.equal([['a', 'TASK_KILLED'], ['b', 'TASK_KILLED']]);
  });
});
