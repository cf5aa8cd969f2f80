import { expect } from 'chai';
import { startHttpCluster, eventually, type HttpCluster } from './support.js';
import { ExecutorAgent, ExecutorFramework, customExecutor } from './executor-api-support.js';

const base64 = (text: string): string => Buffer.from(text).toString('base64');

describe('executor HTTP API: a custom executor written for Mesos (plain Node, fetch only)', function () {
  this.timeout(60_000);
  let cluster: HttpCluster;
  let node: ExecutorAgent;
  let framework: ExecutorFramework;

  before(async () => {
    cluster = await startHttpCluster();
    node = await ExecutorAgent.start(cluster.network, { node: 'executor-agent' });
    framework = await new ExecutorFramework(cluster.masterRuntime, () => node.agent.id).start();
  });

  after(async () => {
    await framework?.stop();
    await node?.stop();
    await cluster?.stop();
  });

  it('runs a task: it subscribes, gets LAUNCH, reports TASK_RUNNING, and TASK_FINISHED once ACKNOWLEDGED with the uuid it sent', async () => {
    framework.launch('finish-1', customExecutor('mesos-exec-1'));
    const finished = await framework.waitFor('finish-1', 'TASK_FINISHED');
    const running = framework.update('finish-1', 'TASK_RUNNING')!;
    expect(running).to.deep.include({ source: 'SOURCE_EXECUTOR', executor_id: { value: 'mesos-exec-1' }, agent_id: { value: node.agent.id } });
    // The executor sends FINISHED only after matching the ACKNOWLEDGED uuid to the one it sent.
    expect(finished.message).to.equal('the agent acknowledged TASK_RUNNING with its uuid');
    expect(framework.updates.filter((u) => u.task_id.value === 'finish-1').map((u) => u.state)).to.deep.equal(['TASK_RUNNING', 'TASK_FINISHED']);
  });

  it('gives the executor the environment Mesos gives: identity, sandbox, agent id and endpoint, checkpointing, grace period', async () => {
    const running = framework.update('finish-1', 'TASK_RUNNING')!;
    const seen = JSON.parse(Buffer.from(running.data!, 'base64').toString()) as Record<string, string>;
    const state = await (await fetch(`${node.http.url}/state`)).json() as any;
    const executor = [...state.frameworks[0].executors, ...state.frameworks[0].completed_executors].find((e: any) => e.id === 'mesos-exec-1');
    expect(seen).to.deep.equal({
      MESOS_FRAMEWORK_ID: framework.frameworkId,
      MESOS_EXECUTOR_ID: 'mesos-exec-1',
      MESOS_DIRECTORY: executor.directory,
      MESOS_SANDBOX: executor.directory,
      MESOS_SLAVE_ID: node.agent.id,
      MESOS_AGENT_ENDPOINT: `127.0.0.1:${node.http.port}`,
      MESOS_CHECKPOINT: '0',
      MESOS_HTTP_COMMAND_EXECUTOR: '0',
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '2secs',
    });
  });

  it('carries framework messages both ways: the framework\'s MESSAGE reaches it, its MESSAGE reaches the framework', async () => {
    framework.launch('wait-2', customExecutor('mesos-exec-2'));
    await framework.waitFor('wait-2', 'TASK_RUNNING');
    framework.driver.message(node.agent.id!, 'mesos-exec-2', base64('ping'));
    await eventually('the echo reaches the framework', () => framework.messages.some((m) => m.executorId === 'mesos-exec-2' && m.data === 'echo:ping'));
  });

  it('delivers KILL: the executor reports TASK_KILLED', async () => {
    framework.driver.kill('wait-2', node.agent.id);
    const killed = await framework.waitFor('wait-2', 'TASK_KILLED');
    expect(killed.message).to.equal('killed by the framework');
    expect(killed.source).to.equal('SOURCE_EXECUTOR');
  });

  it('delivers SHUTDOWN: the executor kills its tasks and exits, and the framework hears of its exit', async () => {
    framework.launch('wait-3', customExecutor('mesos-exec-3'));
    await framework.waitFor('wait-3', 'TASK_RUNNING');
    framework.driver.shutdown('mesos-exec-3', node.agent.id!);
    const killed = await framework.waitFor('wait-3', 'TASK_KILLED');
    expect(killed.message).to.equal('the executor shut down');
    await eventually('the framework hears the executor exited', () => framework.failures.some((f) => f.executor_id?.value === 'mesos-exec-3'));
    expect(framework.failures.find((f) => f.executor_id?.value === 'mesos-exec-3')).to.deep.include({ status: 0, agent_id: { value: node.agent.id } });
  });
});
