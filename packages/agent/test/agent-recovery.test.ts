import { expect } from 'chai';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Agent, readCheckpoint, type AgentOptions } from '../src/index.js';
import { FakeHost, FakeHostLauncher, commandTask, framework, registeredCluster, type Cluster } from './support.js';

describe('agent recovery', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  /**
   * Kills the cluster's agent (its executors live on) and starts another on the same node, with
   * checkpointing in the work dir under a boot id the test controls.
   */
  async function restart(c: Cluster, options: Partial<AgentOptions> = {}): Promise<Agent> {
    c.agentRuntime.terminate(c.agent.pid);
    await c.settle();
    const agent = c.agentRuntime.spawn(new Agent({
      workDir: c.workDir, hostLauncher: c.hostLauncher, executorLauncher: c.processLauncher, resources: 'cpus:4;mem:4096;disk:10000',
      checkpointDir: path.join(c.workDir, 'meta'), bootId: 'boot-1', ...options,
    }));
    c.agent = agent;
    await c.settle();
    return agent;
  }

  /** A registered, checkpointing agent with two command tasks running, t1 and t2, each update acknowledged but t2's RUNNING. */
  async function twoTasks(): Promise<{ c: Cluster; t2Running: string }> {
    // The cluster's own agent (S0) checkpoints nothing: the one that replaces it is S1.
    const c = await registeredCluster();
    await restart(c);
    await c.advance(1_000);
    expect(c.agent.id).to.equal('S1');
    for (const id of ['t1', 't2']) c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask(id, 'sleep 100', 'S1') });
    await c.settle();
    const t1Running = c.host.executors.get('t1')!.update('t1', 'TASK_RUNNING');
    const t2Running = c.host.executors.get('t2')!.update('t2', 'TASK_RUNNING');
    await c.settle();
    c.master.tell(c.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: { value: 't1' }, uuid: t1Running });
    await c.settle();
    c.master.clear();
    return { c, t2Running };
  }

  it('checkpoints the agent, and its framework, executors, tasks and update streams in the journal', async () => {
    const { c } = await twoTasks();
    cluster = c;
    const meta = path.join(c.workDir, 'meta');
    expect(existsSync(path.join(meta, 'agent.json'))).to.equal(true);
    const [framework] = readCheckpoint(meta).frameworks;
    expect(framework!.info.id).to.deep.equal({ value: 'F1' });
    expect(framework!.executors.map((e) => e.info.executor_id.value)).to.include.members(['t1', 't2']);
    const t2 = framework!.tasks.find((t) => t.task.info.task_id.value === 't2')!;
    expect(t2.records.map((r) => r.update?.state)).to.deep.equal(['TASK_RUNNING']);
  });

  it('recovers with the same agent id: executors that subscribe again keep their tasks, the rest fail with the re-registration timeout', async () => {
    const { c, t2Running } = await twoTasks();
    cluster = c;
    await restart(c);
    // Nothing goes to the master while the agent waits for its executors.
    expect(c.master.got('agent.Reregister')).to.deep.equal([]);
    expect(c.host.executors.get('t1')!.eventsOf('HEARTBEAT')).to.have.length(1);
    c.host.executors.get('t1')!.subscribe();
    await c.settle();
    expect(c.host.executors.get('t1')!.eventsOf('SUBSCRIBED')).to.have.length(2);
    // Mesos's --executor_reregistration_timeout: 2 s; then registration within a second.
    await c.advance(1_900, 100);
    expect(c.master.got('agent.Reregister')).to.deep.equal([]);
    await c.advance(1_100, 100);
    const [rereg] = c.master.got('agent.Reregister');
    // t2's RUNNING was never acknowledged: it is resent, and its FAILED waits behind it.
    const updates = c.master.got('agent.StatusUpdate').map((u) => u.status);
    expect(updates.filter((s) => s.task_id.value === 't2').map((s) => [s.state, s.uuid])).to.deep.equal([['TASK_RUNNING', t2Running]]);
    expect(rereg!.agent_info.id).to.deep.equal({ value: 'S1' });
    expect(rereg!.tasks.map((t) => [t.task_id.value, t.state]).sort()).to.deep.equal([['t1', 'TASK_RUNNING'], ['t2', 'TASK_FAILED']]);
    c.master.tell(c.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: { value: 't2' }, uuid: t2Running });
    await c.settle();
    const t2 = c.master.got('agent.StatusUpdate').map((u) => u.status).filter((s) => s.task_id.value === 't2');
    expect(t2.at(-1)).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT', source: 'SOURCE_AGENT' });
    expect(t2.at(-1)!.message).to.match(/ended while the agent was down/);
  });

  it('revives an executor that lived in its own process on the tasks it ran, instead of failing them', async () => {
    const c = await registeredCluster();
    cluster = c;
    // Executors resident in the agent's runtime (as `--executors resident`): they die with it.
    const resident = c.agentRuntime.spawn(new FakeHost(() => c.agentRuntime));
    const launcher = new FakeHostLauncher(() => resident.pid);
    await restart(c, { hostLauncher: launcher });
    await c.advance(1_000);
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('t1', 'sleep 100', 'S1') });
    await c.settle();
    const first = resident.executors.get('t1')!;
    const running = first.update('t1', 'TASK_RUNNING');
    await c.settle();
    c.master.tell(c.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: { value: 't1' }, uuid: running });
    await c.settle();
    first.exit();
    resident.executors.clear();
    await restart(c, { hostLauncher: launcher });
    expect(resident.spawns.at(-1)?.recovered_tasks?.map((t) => t.task_id.value), 'the Spawn names the tasks to adopt').to.deep.equal(['t1']);
    const revived = resident.executors.get('t1')!;
    await c.advance(3_000);
    c.master.clear();
    // A uuid of its own: a fake executor's counter starts again, and u1-t1 was the RUNNING's.
    revived.update('t1', 'TASK_FINISHED', 'finished-t1');
    await c.settle();
    expect(c.master.got('agent.StatusUpdate').map((u) => u.status.state), 'no TASK_FAILED for the re-registration timeout').to.deep.equal(['TASK_FINISHED']);
  });

  it('resends every unacknowledged update once re-registered', async () => {
    const { c, t2Running } = await twoTasks();
    cluster = c;
    await restart(c);
    c.host.executors.get('t1')!.subscribe();
    c.host.executors.get('t2')!.subscribe();
    await c.advance(4_000, 100);
    expect(c.master.got('agent.Reregister')).to.have.length(1);
    const resent = c.master.got('agent.StatusUpdate').map((u) => u.status.uuid);
    expect(resent).to.include(t2Running);
    expect(c.master.got('agent.StatusUpdate').map((u) => u.status.state)).to.not.include('TASK_FAILED');
  });

  it('starts fresh as a new agent after a reboot (another boot id), forgetting the old checkpoint', async () => {
    const { c } = await twoTasks();
    cluster = c;
    await restart(c, { bootId: 'boot-2' });
    await c.advance(1_000);
    expect(c.master.got('agent.Register')).to.have.length(1);
    expect(c.master.got('agent.Reregister')).to.have.length(0);
    expect(readCheckpoint(path.join(c.workDir, 'meta')).frameworks).to.deep.equal([]);
  });

  it('refuses to start on a corrupt checkpoint file, naming it', async () => {
    const { c } = await twoTasks();
    cluster = c;
    const file = path.join(c.workDir, 'meta', 'journal');
    appendFileSync(file, '{"framework_id":"F1","task":{"info":42}}\n');
    expect(() => new Agent({ workDir: c.workDir, hostLauncher: c.hostLauncher, checkpointDir: path.join(c.workDir, 'meta'), bootId: 'boot-1' }))
      .to.throw(/corrupt checkpoint .*journal: line \d+/);
  });
});
