import { expect } from 'chai';
import { startNatsServer, type NatsServer } from '@tessera/test-harness';
import { JSON_CODEC, PROTOBUF_CODEC, type ClientCodec } from './scheduler-api-client.js';
import { HttpFramework, commandTask } from './scheduler-api-framework.js';
import { eventually, startHttpCluster, type HttpCluster } from './support.js';

/**
 * A framework's whole life over Mesos's scheduler API, in raw HTTP against a real master and agent
 * on a real NATS server, running real processes: every call answered as Mesos answers it, every
 * event read back through RecordIO cut at awkward places.
 */
function lifecycle(codec: ClientCodec): void {
  describe(`a framework's life in ${codec.format}`, function () {
    this.timeout(60_000);
    let nats: NatsServer;
    let cluster: HttpCluster;
    let framework: HttpFramework;

    before(async () => {
      nats = await startNatsServer();
      cluster = await startHttpCluster({ nats: { servers: nats.url, cluster: `scheduler-api-${codec.format}` }, masterFlags: { frameworkHeartbeatMs: 300 } });
      framework = new HttpFramework(cluster.masterHttp.url, codec, { failover_timeout: 60 });
    });

    after(async () => {
      await framework?.events.close();
      await cluster?.stop();
      await nats?.stop();
    });

    const counter = (name: string): number => cluster.master.counters.get(name) ?? 0;

    it('SUBSCRIBE: 200, a Mesos-Stream-Id, the records in the Accept type, SUBSCRIBED first', async () => {
      const subscribed = await framework.subscribe();
      const { response } = framework.subscription;
      expect(response.headers.get('content-type')).to.equal(codec.format === 'json' ? 'application/json' : 'application/x-protobuf');
      expect(response.headers.get('transfer-encoding')).to.equal('chunked');
      expect(framework.streamId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(framework.events.events[0].type).to.equal('SUBSCRIBED');
      expect(subscribed.subscribed.heartbeat_interval_seconds).to.equal(0.3);
      expect(subscribed.subscribed.master_info.id).to.equal(cluster.master.masterId);
      expect(cluster.master.state.frameworks.get(framework.frameworkId)?.lifecycle.value).to.equal('active');
    });

    it('HEARTBEAT events come every heartbeat_interval_seconds', async () => {
      const seen = framework.events.events.length;
      await framework.events.next((e) => e.type === 'HEARTBEAT', seen);
    });

    it('ACCEPT launches a command task (202, empty body); its updates stream in and are acknowledged (202)', async () => {
      const offer = await framework.offer();
      expect(offer.framework_id.value).to.equal(framework.frameworkId);
      expect(offer.agent_id.value).to.equal(cluster.agent.id);
      const accepted = await framework.launch(offer, [commandTask('hello', 'echo hi', offer), commandTask('sleeper', 'exec sleep 600', offer)]);
      expect([accepted.status, accepted.text]).to.deep.equal([202, '']);
      // Each update reaches the framework only once the one before it was acknowledged.
      const finished = await framework.update('hello', 'TASK_FINISHED');
      expect(finished.source).to.equal('SOURCE_EXECUTOR');
      expect(finished.uuid).to.be.a('string').and.not.equal('');
      await framework.update('sleeper', 'TASK_RUNNING');
      const answers = await Promise.all(framework.acknowledgements);
      expect(answers.map((a) => [a.status, a.text])).to.deep.equal(answers.map(() => [202, '']));
      expect(counter('master/messages_acknowledge')).to.be.at.least(answers.length);
    });

    it('KILL ends the running sleep 600 with TASK_KILLED', async () => {
      const answer = await framework.call('KILL', { task_id: { value: 'sleeper' }, agent_id: { value: cluster.agent.id } });
      expect(answer.status).to.equal(202);
      await framework.update('sleeper', 'TASK_KILLED');
    });

    it('RECONCILE answers with the master\'s latest state of the named task', async () => {
      const seen = framework.events.events.length;
      const answer = await framework.call('RECONCILE', { tasks: [{ task_id: { value: 'sleeper' }, agent_id: { value: cluster.agent.id } }] });
      expect(answer.status).to.equal(202);
      const update = await framework.events.next((e) => e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION', seen);
      expect(update.update.status).to.deep.include({ task_id: { value: 'sleeper' }, state: 'TASK_KILLED', source: 'SOURCE_MASTER' });
    });

    it('MESSAGE to an executor is taken (202) and relayed by the master', async () => {
      const before = counter('master/messages_message');
      const data = Buffer.from('ping ✓').toString('base64');
      const answer = await framework.call('MESSAGE', { agent_id: { value: cluster.agent.id }, executor_id: { value: 'hello' }, data });
      expect(answer.status).to.equal(202);
      expect(counter('master/messages_message')).to.equal(before + 1);
    });

    it('SUPPRESS, DECLINE and REVIVE are taken (202): no offer while suppressed, offers again once revived', async () => {
      expect((await framework.call('SUPPRESS', { roles: ['*'] })).status).to.equal(202);
      await eventually('the framework is suppressed', () => cluster.master.state.frameworks.get(framework.frameworkId)?.suppressedRoles.includes('*') === true);
      // Declined after SUPPRESS reached the allocator: the resources come back but are offered to no one
      // (an offer made just before the SUPPRESS is declined as it arrives).
      await eventually('the framework holds no offer', async () => {
        if (framework.outstanding.size > 0) expect((await framework.declineAll(0)).status).to.equal(202);
        return cluster.master.state.offers.ofFramework(framework.frameworkId).length === 0;
      });
      const seen = framework.events.events.length;
      expect((await framework.call('REVIVE', { roles: ['*'] })).status).to.equal(202);
      const offer = await framework.offer(seen);
      expect(offer.agent_id.value).to.equal(cluster.agent.id);
    });

    it('UPDATE_FRAMEWORK answers 200 once applied', async () => {
      const info = { user: 'nobody', name: 'renamed', roles: ['*'], failover_timeout: 60, id: { value: framework.frameworkId } };
      const answer = await framework.call('UPDATE_FRAMEWORK', { framework_info: info });
      expect([answer.status, answer.text]).to.deep.equal([200, '']);
      expect(cluster.master.state.frameworks.get(framework.frameworkId)?.info.name).to.equal('renamed');
    });

    it('TEARDOWN removes the framework (202) and ends its stream', async () => {
      const answer = await framework.call('TEARDOWN');
      expect(answer.status).to.equal(202);
      await framework.events.ended();
      expect(cluster.master.state.frameworks.has(framework.frameworkId)).to.equal(false);
      expect(cluster.master.state.isCompletedFramework(framework.frameworkId)).to.equal(true);
    });
  });
}

describe('scheduler API', () => {
  lifecycle(JSON_CODEC);
  lifecycle(PROTOBUF_CODEC);
});
