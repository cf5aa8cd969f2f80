import { expect } from 'chai';
import { startNatsServer, type NatsServer } from '@tessera/test-harness';
import { JSON_CODEC, PROTOBUF_CODEC, post } from './scheduler-api-client.js';
import { HttpFramework } from './scheduler-api-framework.js';
import { eventually, startHttpCluster, type HttpCluster } from './support.js';

/** The SchedulerStream processes running on the master's node. */
const streamProcesses = (cluster: HttpCluster): string[] => cluster.masterRuntime.processes().filter((pid) => pid.startsWith('scheduler-stream-'));

describe('scheduler API streams', function () {
  this.timeout(60_000);
  let nats: NatsServer;
  let cluster: HttpCluster;
  let base: string;

  before(async () => {
    nats = await startNatsServer();
    cluster = await startHttpCluster({ nats: { servers: nats.url, cluster: 'scheduler-api-streams' } });
    base = cluster.masterHttp.url;
  });

  after(async () => {
    await cluster?.stop();
    await nats?.stop();
  });

  const frameworkOf = (id: string) => cluster.master.state.frameworks.get(id);

  it('a second SUBSCRIBE with the framework\'s id takes it over: the old stream gets ERROR and ends, its id is refused', async () => {
    const first = new HttpFramework(base, JSON_CODEC, { failover_timeout: 60, name: 'failing-over' });
    await first.subscribe();
    const oldStreamId = first.streamId;
    const oldEvents = first.events;
    // The new scheduler speaks protobuf: the framework does not care how its scheduler talks.
    const second = new HttpFramework(base, PROTOBUF_CODEC, { failover_timeout: 60, name: 'failing-over' });
    second.frameworkId = first.frameworkId;
    await second.subscribe();
    expect(second.frameworkId).to.equal(first.frameworkId);
    expect(second.streamId).to.not.equal(oldStreamId);
    const error = await oldEvents.next((e) => e.type === 'ERROR');
    expect(error.error.message).to.match(/failed over/);
    await oldEvents.ended();
    expect(oldEvents.events.at(-1).type).to.equal('ERROR');
    const stale = await first.call('REVIVE');
    expect(stale.status).to.equal(400);
    expect(stale.text).to.match(/didn't match the stream ID currently associated/);
    expect((await second.call('REVIVE')).status).to.equal(202);
    // The framework stayed subscribed throughout: the old stream's end did not disconnect it.
    expect(frameworkOf(second.frameworkId)?.lifecycle.value).to.equal('active');
    await second.call('TEARDOWN');
    await second.events.ended();
  });

  it('a stream closed by the client disconnects the framework, and its failover timeout tears it down', async () => {
    const framework = new HttpFramework(base, JSON_CODEC, { failover_timeout: 1, name: 'leaving' });
    await framework.subscribe();
    await framework.offer();
    expect(cluster.master.state.offers.ofFramework(framework.frameworkId)).to.not.have.length(0);
    await framework.events.close();
    await eventually('the framework is disconnected', () => frameworkOf(framework.frameworkId)?.lifecycle.value === 'disconnected');
    expect(frameworkOf(framework.frameworkId)?.pid).to.equal(undefined);
    // Its offers went back to the allocator.
    expect(cluster.master.state.offers.ofFramework(framework.frameworkId)).to.have.length(0);
    await eventually('the failover timeout tore it down', () => cluster.master.state.isCompletedFramework(framework.frameworkId), 10_000);
  });

  it('leaves no stream process behind once its streams are over', async () => {
    await eventually('every stream process ended', () => streamProcesses(cluster).length === 0);
  });

  it('a standby answers 307 to the leader; a client following it subscribes there', async () => {
    const standby = await cluster.startStandby();
    const redirected = await post(standby.url, { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'nobody', name: 'redirected' } } });
    expect(redirected.status).to.equal(307);
    expect(redirected.headers.get('location')).to.equal(`//127.0.0.1:${cluster.masterHttp.port}/api/v1/scheduler`);
    // fetch follows the 307 with the same method and body, as a Mesos client must.
    const framework = new HttpFramework(standby.url, JSON_CODEC, { failover_timeout: 0, name: 'redirected' });
    await framework.subscribe();
    expect(framework.subscription.response.url).to.equal(`${cluster.masterHttp.url}/api/v1/scheduler`);
    expect(frameworkOf(framework.frameworkId)?.lifecycle.value).to.equal('active');
    await framework.events.close();
  });

  it('ends every stream when the master goes (a deposed leader), so that clients look for the new one', async () => {
    const framework = new HttpFramework(base, JSON_CODEC, { failover_timeout: 60, name: 'orphan' });
    await framework.subscribe();
    cluster.masterRuntime.terminate(cluster.master.pid);
    await framework.events.ended();
    expect(streamProcesses(cluster)).to.deep.equal([]);
  });
});
