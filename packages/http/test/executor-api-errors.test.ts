import { expect } from 'chai';
import { MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { createAgentHttpApp } from '../src/index.js';
import { eventually, getJson, startHttpCluster, type HttpCluster } from './support.js';
import { ExecutorAgent, ExecutorFramework, customExecutor, executorCall, executorStatus, postCall } from './executor-api-support.js';

const JSON_BODY = { 'Content-Type': 'application/json' };

describe('executor HTTP API: refusals, as Mesos\'s agent words them', function () {
  this.timeout(60_000);
  let cluster: HttpCluster;
  let node: ExecutorAgent;
  let framework: ExecutorFramework;
  let call: (type: string, payload?: object, executorId?: string) => Record<string, unknown>;

  /** POSTs and expects `status` with a text/plain reason matching `reason`. */
  const refused = async (body: object | string, status: number, reason: RegExp, headers: Record<string, string> = JSON_BODY, method = 'POST'): Promise<void> => {
    const answer = await postCall(node.url, body, headers, method);
    expect([answer.status, answer.text], JSON.stringify(body)).to.satisfy(([s, text]: [number, string]) => s === status && reason.test(text));
    expect(answer.headers.get('content-type')).to.match(/^text\/plain/);
  };

  before(async () => {
    cluster = await startHttpCluster();
    node = await ExecutorAgent.start(cluster.network, { node: 'refusing-agent' });
    framework = await new ExecutorFramework(cluster.masterRuntime, () => node.agent.id).start();
    call = (type, payload, executorId = 'idle-exec') => executorCall(framework.frameworkId, executorId, type, payload);
    // An executor the agent runs but that never subscribes.
    framework.launch('idle-1', customExecutor('idle-exec', 'exec sleep 60'));
    await eventually('the agent starts the executor', async () => ((await getJson(`${node.http.url}/state`)).body.frameworks[0]?.executors ?? []).length === 1);
  });

  after(async () => {
    await framework?.stop();
    await node?.stop();
    await cluster?.stop();
  });

  it('405 for another method than POST, with Allow', async () => {
    const answer = await postCall(node.url, '', {}, 'GET');
    expect([answer.status, answer.text, answer.headers.get('allow')]).to.deep.equal([405, "Expecting one of { 'POST' }, but received 'GET'", 'POST']);
  });

  it('400 without a Content-Type, 415 for one that is neither JSON nor protobuf', async () => {
    const body = JSON.stringify(call('HEARTBEAT'));
    const bare = await fetch(node.url, { method: 'POST', body: new Blob([body]) });
    expect([bare.status, await bare.text()]).to.deep.equal([400, "Expecting 'Content-Type' to be present"]);
    await refused(body, 415, /^Expecting 'Content-Type' of application\/json or application\/x-protobuf/, { 'Content-Type': 'text/plain' });
  });

  it('400 for a body that does not decode: not JSON, an unknown call type, a field of the wrong type, not protobuf', async () => {
    await refused('{"type":', 400, /JSON/);
    await refused(call('LAUNCH'), 400, /LAUNCH/);
    await refused({ ...call('HEARTBEAT'), executor_id: 'idle-exec' }, 400, /executor_id/);
    await refused('not protobuf', 400, /./, { 'Content-Type': 'application/x-protobuf' });
  });

  it('400 for a call Mesos\'s agent does not validate, with its reason', async () => {
    const update = (status: object) => call('UPDATE', { update: { status } });
    await refused(call('SUBSCRIBE'), 400, /^Failed to validate executor::Call: Expecting 'subscribe' to be present$/);
    await refused(call('MESSAGE'), 400, /Expecting 'message' to be present/);
    await refused(call('UPDATE'), 400, /Expecting 'update' to be present/);
    const { uuid: _uuid, ...withoutUuid } = executorStatus('idle-1', 'TASK_RUNNING');
    await refused(update(withoutUuid), 400, /Expecting 'uuid' to be present/);
    await refused(update(executorStatus('idle-1', 'TASK_RUNNING', { source: 'SOURCE_AGENT' })), 400, /invalid source, expecting 'SOURCE_EXECUTOR'/);
    await refused(update(executorStatus('idle-1', 'TASK_STAGING')), 400, /TASK_STAGING .* not allowed/);
    await refused(update(executorStatus('idle-1', 'TASK_RUNNING', { executor_id: { value: 'other' } })), 400, /ExecutorID in Call: idle-exec does not match ExecutorID in TaskStatus: other/);
  });

  it('406 for a SUBSCRIBE whose Accept allows neither JSON nor protobuf', async () => {
    await refused(call('SUBSCRIBE', { subscribe: {} }), 406, /^Expecting 'Accept' to allow 'application\/x-protobuf' or 'application\/json'$/, { ...JSON_BODY, Accept: 'text/html' });
  });

  it('400 for a framework or an executor the agent does not run', async () => {
    await refused(executorCall('no-such-framework', 'idle-exec', 'SUBSCRIBE', { subscribe: {} }), 400, /^Framework cannot be found$/);
    await refused(call('HEARTBEAT', {}, 'no-such-executor'), 400, /^Executor cannot be found$/);
  });

  it('403 for a call from an executor that has not subscribed, and nothing reaches the framework', async () => {
    await refused(call('UPDATE', { update: { status: executorStatus('idle-1', 'TASK_RUNNING') } }), 403, /^Executor is not subscribed$/);
    await refused(call('MESSAGE', { message: { data: 'aGk=' } }), 403, /^Executor is not subscribed$/);
    expect(framework.updates.filter((u) => u.task_id.value === 'idle-1')).to.deep.equal([]);
    expect(framework.messages).to.deep.equal([]);
  });

  it('503 while the agent is not running', async () => {
    const runtime = await Runtime.create({ transport: new MemoryNetwork().transport('lonely'), logger: memoryLogger(), random: new Random(3) });
    const app = createAgentHttpApp({ runtime, agent: () => undefined, logger: runtime.logger });
    try {
      const answer = await app.inject({ method: 'POST', url: '/api/v1/executor', headers: JSON_BODY, payload: JSON.stringify(executorCall('F', 'E', 'SUBSCRIBE', { subscribe: {} })) });
      expect([answer.statusCode, answer.body]).to.deep.equal([503, 'Agent is not running']);
    } finally {
      await app.close();
      await runtime.stop();
    }
  });
});
