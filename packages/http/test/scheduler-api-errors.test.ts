import os from 'node:os';
import { expect } from 'chai';
import { MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import type { LeaderRecord } from '@tessera/protocol';
import { startNatsServer, type NatsServer } from '@tessera/test-harness';
import { startMasterHttp, type ListeningServer } from '../src/index.js';
import { JSON_CODEC, PROTOBUF_CODEC, SCHEDULER_PATH, post, subscribe } from './scheduler-api-client.js';
import { HttpFramework } from './scheduler-api-framework.js';
import { TestFramework, eventually, startHttpCluster, type HttpCluster } from './support.js';

const TEXT = 'text/plain; charset=utf-8';
const subscribeCall = (info: object = {}) => ({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: os.userInfo().username, name: 'errors', roles: ['*'], ...info } } });

describe('scheduler API refusals', function () {
  this.timeout(60_000);
  let nats: NatsServer;
  let cluster: HttpCluster;
  let base: string;
  let framework: HttpFramework;

  before(async () => {
    nats = await startNatsServer();
    cluster = await startHttpCluster({ nats: { servers: nats.url, cluster: 'scheduler-api-errors' } });
    base = cluster.masterHttp.url;
    framework = new HttpFramework(base, JSON_CODEC, { failover_timeout: 60 });
    await framework.subscribe();
  });

  after(async () => {
    await framework?.events.close();
    await cluster?.stop();
    await nats?.stop();
  });

  /** Frameworks the master knows, to show a refusal changed nothing. */
  const known = (): string[] => [...cluster.master.state.frameworks.keys()].sort();

  describe('framing, for every call', () => {
    it('405 with Allow: POST for another method', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const answer = await post(base, '', { method });
        expect(answer.status, method).to.equal(405);
        expect(answer.headers.get('allow')).to.equal('POST');
      }
    });

    it('400 without a Content-Type', async () => {
      const response = await fetch(`${base}${SCHEDULER_PATH}`, { method: 'POST', body: new Uint8Array(Buffer.from(JSON.stringify(subscribeCall()))) });
      expect(response.status).to.equal(400);
      expect(response.headers.get('content-type')).to.equal(TEXT);
      expect(await response.text()).to.equal("Expecting 'Content-Type' to be present");
    });

    it('415 for a Content-Type that is neither JSON nor protobuf', async () => {
      const answer = await post(base, JSON.stringify(subscribeCall()), { headers: { 'Content-Type': 'text/plain' } });
      expect([answer.status, answer.text]).to.deep.equal([415, "Expecting 'Content-Type' of application/json or application/x-protobuf"]);
    });

    const badBodies: [string, string | Uint8Array, typeof JSON_CODEC, RegExp][] = [
      ['JSON that does not parse', '{"type": "SUBSCRIBE"', JSON_CODEC, /^body is not JSON/],
      ['an empty body', '', JSON_CODEC, /^body is not JSON/],
      ['protobuf that does not parse', new Uint8Array([0xff, 0xff, 0xff]), PROTOBUF_CODEC, /^body is not a mesos\.v1\.scheduler\.Call in protobuf/],
      ['an unknown call type', '{"type":"LAUNCH_MISSILES"}', JSON_CODEC, /^call\.type: "LAUNCH_MISSILES" is not a value/],
      ['a field of the wrong type', '{"type":"DECLINE","framework_id":{"value":"x"},"decline":{"offer_ids":"all"}}', JSON_CODEC, /^call\.decline\.offer_ids: expected a list/],
    ];
    for (const [what, body, codec, reason] of badBodies) {
      it(`400 for ${what}, with the reason as text`, async () => {
        const before = known();
        const answer = await post(base, body, { codec });
        expect(answer.status).to.equal(400);
        expect(answer.headers.get('content-type')).to.equal(TEXT);
        expect(answer.text).to.match(reason);
        expect(known()).to.deep.equal(before);
      });
    }

    const invalidCalls: [string, object, string][] = [
      ['a call without framework_id', { type: 'REVIVE' }, "Expecting 'framework_id' to be present"],
      ['an ACCEPT without its accept field', { type: 'ACCEPT', framework_id: { value: 'x' } }, "Expecting 'accept' to be present"],
      ['a SUBSCRIBE without its subscribe field', { type: 'SUBSCRIBE' }, "Expecting 'subscribe' to be present"],
      ['a SUBSCRIBE whose two framework ids differ', { ...subscribeCall({ id: { value: 'a' } }), framework_id: { value: 'b' } }, "'framework_id' differs from 'subscribe.framework_info.id'"],
    ];
    for (const [what, call, reason] of invalidCalls) {
      it(`400 for ${what}`, async () => {
        const answer = await post(base, call);
        expect([answer.status, answer.text]).to.deep.equal([400, `Failed to validate scheduler::Call: ${reason}`]);
      });
    }
  });

  describe('SUBSCRIBE', () => {
    it('406 when Accept allows neither JSON nor protobuf', async () => {
      const answer = await post(base, subscribeCall(), { headers: { Accept: 'text/html' } });
      expect([answer.status, answer.text]).to.deep.equal([406, "Expecting 'Accept' to allow 'application/json' or 'application/x-protobuf'"]);
    });

    it('406 when Accept is application/recordio and Message-Accept allows neither', async () => {
      const answer = await post(base, subscribeCall(), { headers: { Accept: 'application/recordio', 'Message-Accept': 'text/html' } });
      expect([answer.status, answer.text]).to.deep.equal([406, "Expecting 'Message-Accept' to allow 'application/json' or 'application/x-protobuf'"]);
    });

    it('200 as application/recordio with Message-Content-Type when asked so', async () => {
      const subscription = await subscribe(base, subscribeCall(), PROTOBUF_CODEC, { Accept: 'application/recordio', 'Message-Accept': 'application/x-protobuf' });
      try {
        expect(subscription.response.status).to.equal(200);
        expect(subscription.response.headers.get('content-type')).to.equal('application/recordio');
        expect(subscription.response.headers.get('message-content-type')).to.equal('application/x-protobuf');
        expect((await subscription.events.next(() => true)).type).to.equal('SUBSCRIBED');
      } finally {
        await subscription.events.close();
      }
    });

    it('400 when it carries a Mesos-Stream-Id', async () => {
      const answer = await post(base, subscribeCall(), { headers: { 'Mesos-Stream-Id': framework.streamId } });
      expect([answer.status, answer.text]).to.deep.equal([400, "Subscribe calls should not include the 'Mesos-Stream-Id' header"]);
    });

    it('an invalid framework is refused on the stream: ERROR first, then the stream ends', async () => {
      const before = known();
      const subscription = await subscribe(base, subscribeCall({ roles: ['-bad'] }));
      expect(subscription.response.status).to.equal(200);
      const first = await subscription.events.next(() => true);
      expect(first.type).to.equal('ERROR');
      expect(first.error.message).to.match(/-bad/);
      await subscription.events.ended();
      expect(known()).to.deep.equal(before);
    });
  });

  describe('calls of a framework', () => {
    it('400 for a framework the master does not know', async () => {
      const answer = await post(base, { type: 'REVIVE', framework_id: { value: 'no-such-framework' } }, { streamId: framework.streamId });
      expect([answer.status, answer.text]).to.deep.equal([400, 'Framework cannot be found']);
    });

    it('400 without Mesos-Stream-Id', async () => {
      const answer = await post(base, { type: 'REVIVE', framework_id: { value: framework.frameworkId } });
      expect([answer.status, answer.text]).to.deep.equal([400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header"]);
    });

    it('400 with another stream\'s id', async () => {
      const answer = await post(base, { type: 'REVIVE', framework_id: { value: framework.frameworkId } }, { streamId: 'f00ba400-0000-4000-8000-000000000000' });
      expect(answer.status).to.equal(400);
      expect(answer.text).to.equal(`The stream ID 'f00ba400-0000-4000-8000-000000000000' included in this request didn't match the stream ID currently associated with framework ID ${framework.frameworkId}`);
    });

    it('403 for a framework subscribed over NATS, not HTTP', async () => {
      const driven = await new TestFramework(cluster.masterRuntime, 'over-nats').start();
      try {
        const answer = await post(base, { type: 'REVIVE', framework_id: { value: driven.frameworkId } }, { streamId: framework.streamId });
        expect([answer.status, answer.text]).to.deep.equal([403, 'Framework is not connected via HTTP']);
      } finally {
        await driven.stop();
      }
    });

    it('400 for an UPDATE_FRAMEWORK the master would refuse, which changes nothing', async () => {
      const info = { user: 'nobody', name: 'bad roles', roles: ['..'], id: { value: framework.frameworkId } };
      const answer = await framework.call('UPDATE_FRAMEWORK', { framework_info: info });
      expect(answer.status).to.equal(400);
      expect(answer.text).to.match(/^Failed to validate scheduler::Call: .*'\.\.'/);
      expect(cluster.master.state.frameworks.get(framework.frameworkId)?.info.name).to.equal('raw-http');
    });

    it('403 once the framework\'s stream is closed (not subscribed), until it subscribes again', async () => {
      const lone = new HttpFramework(base, JSON_CODEC, { failover_timeout: 60, name: 'lone' });
      await lone.subscribe();
      await lone.events.close();
      await eventually('the master saw the stream close', () => cluster.master.state.frameworks.get(lone.frameworkId)?.lifecycle.value === 'disconnected');
      const answer = await lone.call('REVIVE');
      expect([answer.status, answer.text]).to.deep.equal([403, 'Framework is not subscribed']);
      await lone.subscribe();
      expect((await lone.call('REVIVE')).status).to.equal(202);
      await lone.call('TEARDOWN');
    });
  });
});

describe('scheduler API on a master that does not lead', function () {
  this.timeout(30_000);
  let runtime: Runtime;
  let server: ListeningServer;
  let leader: LeaderRecord | undefined;

  before(async () => {
    runtime = await Runtime.create({ transport: new MemoryNetwork().transport('standby'), logger: memoryLogger(), random: new Random(4) });
    server = await startMasterHttp({
      runtime, logger: memoryLogger(), host: '127.0.0.1', port: 0, ownHttp: () => `127.0.0.1:${server.port}`, webuiRoot: false,
      source: { master: undefined, get leader() { return leader; } },
    });
  });

  after(async () => {
    await server.close();
    await runtime.stop();
  });

  it('307 to //<leader host:port>/api/v1/scheduler, Mesos\'s protocol-relative Location', async () => {
    leader = { pid: 'master@m1', epoch: 1, contender: 'master@m1#a', lease_ms: 10_000, http: '10.0.0.1:5050' };
    const answer = await post(server.url, subscribeCall());
    expect(answer.status).to.equal(307);
    expect(answer.headers.get('location')).to.equal('//10.0.0.1:5050/api/v1/scheduler');
  });

  it('503 as text when no leader is known', async () => {
    leader = undefined;
    const answer = await post(server.url, subscribeCall());
    expect(answer.status).to.equal(503);
    expect(answer.headers.get('content-type')).to.equal(TEXT);
    expect(answer.text).to.match(/no leading master is known/);
  });

  it('503 while it was just elected and still recovers (the leader is itself)', async () => {
    leader = { pid: 'master@me', epoch: 2, contender: 'master@me#b', lease_ms: 10_000, http: `127.0.0.1:${server.port}` };
    const answer = await post(server.url, subscribeCall());
    expect(answer.status).to.equal(503);
    expect(answer.headers.get('content-type')).to.equal(TEXT);
  });
});
