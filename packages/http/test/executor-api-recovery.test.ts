import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { eventually, getJson, startHttpCluster, type HttpCluster } from './support.js';
import { ExecutorAgent, ExecutorFramework, customExecutor, executorCall, executorStatus, postCall } from './executor-api-support.js';

describe('executor HTTP API: a Mesos executor of a checkpointing framework outlives an agent restart', function () {
  this.timeout(60_000);
  let cluster: HttpCluster;
  let node: ExecutorAgent;
  let framework: ExecutorFramework;

  before(async () => {
    cluster = await startHttpCluster();
    // The window the restarted agent gives its executors to come back (and MESOS_SUBSCRIPTION_BACKOFF_MAX).
    node = await ExecutorAgent.start(cluster.network, { node: 'restarting-agent', checkpoint: true, executorReregistrationTimeoutMs: 4_000 });
    framework = await new ExecutorFramework(cluster.masterRuntime, () => node.agent.id, { checkpoint: true }).start();
  });

  after(async () => {
    await framework?.stop();
    await node?.stop();
    await cluster?.stop();
  });

  it('subscribes again to the restarted agent with its unacknowledged task and update, gets the ACKNOWLEDGED, and finishes its task', async () => {
    // TASK_RUNNING stays unacknowledged across the restart: the executor must carry it over.
    const release = framework.holdAcknowledgement((s) => s.task_id.value === 'finish-r' && s.state === 'TASK_RUNNING');
    framework.launch('finish-r', customExecutor('mesos-exec-r'));
    // An executor that never subscribes keeps the restarted agent recovering for its whole window.
    framework.launch('idle-r', customExecutor('idle-exec-r', 'exec sleep 15'));
    const running = await framework.waitFor('finish-r', 'TASK_RUNNING');
    const env = JSON.parse(Buffer.from(running.data!, 'base64').toString());
    expect(env).to.include({ MESOS_CHECKPOINT: '1', MESOS_RECOVERY_TIMEOUT: '15mins', MESOS_SUBSCRIPTION_BACKOFF_MAX: '4secs' });

    await node.restart();
    // Until its executors are back, the agent takes their SUBSCRIBEs only.
    const early = await postCall(node.url, executorCall(framework.frameworkId, 'idle-exec-r', 'UPDATE', { update: { status: executorStatus('idle-r', 'TASK_RUNNING') } }));
    expect([early.status, early.text]).to.deep.equal([503, 'Agent has not finished recovery']);

    const state = async () => (await getJson(`${node.http.url}/state`)).body;
    const directory = (await state()).frameworks[0].executors.find((e: any) => e.id === 'mesos-exec-r').directory as string;
    const log = () => readFileSync(path.join(directory, 'stdout'), 'utf8');
    await eventually('the executor subscribes again with what the agent has not acknowledged', () => log().includes('subscribed (1 updates, 1 tasks unacknowledged)'));

    release();
    const finished = await framework.waitFor('finish-r', 'TASK_FINISHED');
    expect(finished.message).to.equal('the agent acknowledged TASK_RUNNING with its uuid');
    // The same executor process, never restarted: its task's TASK_RUNNING went to the framework once per delivery, FINISHED once.
    expect(log().match(/EVENT LAUNCH/g)).to.have.length(1);
    expect(framework.updates.filter((u) => u.task_id.value === 'finish-r' && u.state === 'TASK_FINISHED')).to.have.length(1);
    expect(new Set(framework.updates.filter((u) => u.task_id.value === 'finish-r' && u.state === 'TASK_RUNNING').map((u) => u.uuid))).to.deep.equal(new Set([running.uuid]));
  });
});
