import { expect } from 'chai';
import { eventually, getJson, startHttpCluster, type HttpCluster } from './support.js';
import {
  EXECUTOR_PROTOBUF_CODEC,
  ExecutorAgent,
  ExecutorFramework,
  customExecutor,
  executorCall,
  executorStatus,
  postCall,
  subscribeExecutor,
  wireHeaders,
} from './executor-api-support.js';

const base64 = (text: string): string => Buffer.from(text).toString('base64');

// The test speaks for executors the agent starts as `sleep`: it subscribes and calls as they would.
describe('executor HTTP API: calls and events on the wire', function () {
  this.timeout(60_000);
  let cluster: HttpCluster;
  let node: ExecutorAgent;
  let framework: ExecutorFramework;
  let call: (executorId: string, type: string, payload?: object) => Record<string, unknown>;

  /** Launches `taskId` in an executor that never subscribes by itself, and waits until the agent runs it. */
  const launchSilent = async (taskId: string, executorId: string): Promise<void> => {
    framework.launch(taskId, customExecutor(executorId, 'exec sleep 60'));
    await eventually(`the agent starts executor ${executorId}`, async () => {
      const state = (await getJson(`${node.http.url}/state`)).body;
      return (state.frameworks[0]?.executors ?? []).some((e: any) => e.id === executorId);
    });
  };

  before(async () => {
    cluster = await startHttpCluster();
    node = await ExecutorAgent.start(cluster.network, { node: 'wire-agent', heartbeatMs: 300 });
    framework = await new ExecutorFramework(cluster.masterRuntime, () => node.agent.id).start();
    call = (executorId, type, payload) => executorCall(framework.frameworkId, executorId, type, payload);
    await launchSilent('raw-1', 'raw-exec');
  });

  after(async () => {
    await framework?.stop();
    await node?.stop();
    await cluster?.stop();
  });

  describe('in JSON', () => {
    let first: Awaited<ReturnType<typeof subscribeExecutor>>;

    after(async () => {
      await first?.events.close();
    });

    it('answers SUBSCRIBE with 200 and a RecordIO stream of events: SUBSCRIBED first, then the task waiting for the executor', async () => {
      first = await subscribeExecutor(node.url, call('raw-exec', 'SUBSCRIBE', { subscribe: {} }));
      expect(first.response.status).to.equal(200);
      expect(first.response.headers.get('content-type')).to.equal('application/json');
      const launch = await first.events.next((e) => e.type === 'LAUNCH');
      const [subscribed] = first.events.events;
      expect(subscribed.type).to.equal('SUBSCRIBED');
      expect(subscribed.subscribed.executor_info.executor_id).to.deep.equal({ value: 'raw-exec' });
      expect(subscribed.subscribed.framework_info.id).to.deep.equal({ value: framework.frameworkId });
      expect(subscribed.subscribed.agent_info.id).to.deep.equal({ value: node.agent.id });
      expect(subscribed.subscribed.container_id.value).to.be.a('string');
      expect(launch.launch.task.task_id).to.deep.equal({ value: 'raw-1' });
    });

    it('sends HEARTBEAT events on the stream', async () => {
      await first.events.next((e) => e.type === 'HEARTBEAT');
    });

    it('takes UPDATE, MESSAGE and HEARTBEAT on other connections with 202, and sends them on as the executor\'s', async () => {
      const running = executorStatus('raw-1', 'TASK_RUNNING');
      expect((await postCall(node.url, call('raw-exec', 'UPDATE', { update: { status: running } }))).status).to.equal(202);
      const seen = await framework.waitFor('raw-1', 'TASK_RUNNING');
      expect(seen).to.deep.include({ uuid: running.uuid, source: 'SOURCE_EXECUTOR', executor_id: { value: 'raw-exec' } });
      // The framework acknowledged it: the agent says so with the uuid the executor sent.
      const acknowledged = await first.events.next((e) => e.type === 'ACKNOWLEDGED');
      expect(acknowledged.acknowledged).to.deep.equal({ task_id: { value: 'raw-1' }, uuid: running.uuid });
      expect((await postCall(node.url, call('raw-exec', 'MESSAGE', { message: { data: base64('hello') } }))).status).to.equal(202);
      await eventually('the framework gets the message', () => framework.messages.some((m) => m.executorId === 'raw-exec' && m.data === 'hello'));
      const heartbeat = await postCall(node.url, call('raw-exec', 'HEARTBEAT'));
      expect([heartbeat.status, heartbeat.text]).to.deep.equal([202, '']);
    });

    it('streams the framework\'s MESSAGE and KILL as events', async () => {
      framework.driver.message(node.agent.id!, 'raw-exec', base64('from the framework'));
      const message = await first.events.next((e) => e.type === 'MESSAGE');
      expect(Buffer.from(message.message.data, 'base64').toString()).to.equal('from the framework');
      framework.driver.kill('raw-1', node.agent.id);
      const kill = await first.events.next((e) => e.type === 'KILL');
      expect(kill.kill.task_id).to.deep.equal({ value: 'raw-1' });
    });

    it('a new SUBSCRIBE replaces the stream and replays the updates it carries: a new one goes on, an acknowledged one is ACKNOWLEDGED again', async () => {
      const acknowledgedBefore = first.events.events.find((e) => e.type === 'ACKNOWLEDGED').acknowledged.uuid;
      const running = framework.update('raw-1', 'TASK_RUNNING')!;
      const killed = executorStatus('raw-1', 'TASK_KILLED');
      const second = await subscribeExecutor(node.url, call('raw-exec', 'SUBSCRIBE', {
        subscribe: {
          unacknowledged_tasks: [{ name: 'raw-1', task_id: { value: 'raw-1' }, agent_id: { value: node.agent.id } }],
          unacknowledged_updates: [{ status: { ...executorStatus('raw-1', 'TASK_RUNNING'), uuid: acknowledgedBefore } }, { status: killed }],
        },
      }));
      try {
        expect(second.response.status).to.equal(200);
        await first.events.ended();
        expect(second.events.events[0]?.type).to.equal('SUBSCRIBED');
        const acks = async (uuid: string) => second.events.next((e) => e.type === 'ACKNOWLEDGED' && e.acknowledged.uuid === uuid);
        await acks(acknowledgedBefore);
        expect((await framework.waitFor('raw-1', 'TASK_KILLED')).uuid).to.equal(killed.uuid);
        await acks(killed.uuid as string);
        // The acknowledged update was not sent to the framework again.
        expect(framework.updates.filter((u) => u.task_id.value === 'raw-1' && u.state === 'TASK_RUNNING').map((u) => u.uuid)).to.deep.equal([running.uuid]);
      } finally {
        await second.events.close();
      }
    });
  });

  describe('in protobuf', () => {
    it('streams events and takes calls in application/x-protobuf; uuids and data come back byte for byte', async () => {
      await launchSilent('proto-1', 'proto-exec');
      const { response, events } = await subscribeExecutor(node.url, call('proto-exec', 'SUBSCRIBE', { subscribe: {} }), EXECUTOR_PROTOBUF_CODEC);
      try {
        expect(response.status).to.equal(200);
        expect(response.headers.get('content-type')).to.equal('application/x-protobuf');
        const launch = await events.next((e) => e.type === 'LAUNCH');
        expect(events.events[0].type).to.equal('SUBSCRIBED');
        expect(launch.launch.task.task_id).to.deep.equal({ value: 'proto-1' });
        const running = executorStatus('proto-1', 'TASK_RUNNING', { data: base64('payload') });
        const update = EXECUTOR_PROTOBUF_CODEC.encodeCall(call('proto-exec', 'UPDATE', { update: { status: running } }));
        expect((await postCall(node.url, update, wireHeaders('protobuf'))).status).to.equal(202);
        const seen = await framework.waitFor('proto-1', 'TASK_RUNNING');
        expect([seen.uuid, seen.data]).to.deep.equal([running.uuid, running.data]);
        const acknowledged = await events.next((e) => e.type === 'ACKNOWLEDGED');
        expect(acknowledged.acknowledged.uuid).to.equal(running.uuid);
      } finally {
        await events.close();
      }
    });
  });

  describe('when the stream ends', () => {
    it('the agent loses the executor as when a NATS executor dies: after the grace period its process is killed and its task fails', async () => {
      await launchSilent('gone-1', 'gone-exec');
      const { events } = await subscribeExecutor(node.url, call('gone-exec', 'SUBSCRIBE', { subscribe: {} }));
      await events.next((e) => e.type === 'LAUNCH');
      await events.close();
      const failed = await framework.waitFor('gone-1', 'TASK_FAILED');
      expect(failed.message).to.match(/gone-exec|went away/);
      await eventually('the framework hears the executor ended', () => framework.failures.some((f) => f.executor_id?.value === 'gone-exec'));
      // Nothing speaks for it any more.
      expect((await postCall(node.url, call('gone-exec', 'HEARTBEAT'))).status).to.equal(400);
    });
  });
});
