import { expect } from 'chai';
import { SubscriptionRefusedError } from '../src/errors.js';
import { recordOf } from './http-fake-master.js';
import { eventually, httpFixture } from './http-support.js';
import { offer } from './support.js';

type Fixture = Awaited<ReturnType<typeof httpFixture>>;

describe('SchedulerDriver over HTTP: subscription', () => {
  let f: Fixture;
  beforeEach(async () => { f = await httpFixture(); });
  afterEach(async () => { await f.stop(); });

  it('subscribes with the request a Mesos master expects and resolves start() with the framework id', async () => {
    const driver = f.makeDriver();
    expect(await driver.start()).to.equal('fw-0001');
    expect(driver.state).to.equal('subscribed');
    expect(f.master.requests).to.have.length(1);
    const [request] = f.master.requests;
    expect(request!.method).to.equal('POST');
    expect(request!.path).to.equal('/api/v1/scheduler');
    expect(request!.headers['content-type']).to.equal('application/json');
    expect(request!.headers['accept']).to.equal('application/json');
    expect(request!.headers['mesos-stream-id']).to.equal(undefined);
    expect(request!.call).to.deep.equal({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'tester', name: 'test' } } });
    expect(f.named('subscribed')).to.deep.equal([['fw-0001', { reconnected: false, masterId: 'm1' }]]);
  });

  it('sends a failover SUBSCRIBE in Mesos\'s JSON: the id at the top and in framework_info, one role as `role`', async () => {
    await f.subscribed({ framework: { user: 'tester', name: 'test', id: { value: 'fw-old' }, roles: ['web'], failover_timeout: 3600 } });
    expect(f.master.requests[0]!.call).to.deep.equal({
      type: 'SUBSCRIBE',
      framework_id: { value: 'fw-old' },
      subscribe: { framework_info: { user: 'tester', name: 'test', id: { value: 'fw-old' }, role: 'web', failover_timeout: 3600 } },
    });
  });

  it('delivers events whose RecordIO records are cut at awkward places: in the length, after the newline, inside a UTF-8 character', async () => {
    const driver = await f.subscribed({ implicitAcknowledgements: false });
    const stream = f.master.stream!;
    await stream.send({ type: 'OFFERS', offers: { offers: [offer('o1', 'a1')] } }, [1, 2]);
    const rescind = recordOf({ type: 'RESCIND', rescind: { offer_id: { value: 'o1' } } });
    await stream.sendBytes(rescind, [rescind.indexOf('\n') + 1]);
    const update = { type: 'UPDATE', update: { status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', message: 'naïve ✓', source: 'SOURCE_EXECUTOR', timestamp: 1 } } };
    const updateBytes = recordOf(update);
    await stream.sendBytes(updateBytes, [updateBytes.indexOf(Buffer.from('✓')) + 1, updateBytes.indexOf(Buffer.from('✓')) + 2]);
    // Two records in one write, the second's length cut from its body.
    const two = Buffer.concat([recordOf({ type: 'HEARTBEAT' }), recordOf({ type: 'HEARTBEAT' })]);
    await stream.sendBytes(two, [two.length - 3]);
    await eventually('every event is delivered', () => f.named('heartbeat').length === 2);
    expect(f.seen.map((s) => s.name)).to.deep.equal(['subscribed', 'offers', 'rescind', 'update', 'heartbeat', 'heartbeat']);
    expect((f.named('offers')[0]![0] as { id: { value: string } }[])[0]!.id).to.deep.equal({ value: 'o1' });
    expect(f.named('rescind')).to.deep.equal([['o1']]);
    expect((f.named('update')[0]![0] as { message: string }).message).to.equal('naïve ✓');
    expect(driver.state).to.equal('subscribed');
  });

  it('skips an event that does not decode and goes on with the next', async () => {
    await f.subscribed();
    await f.master.stream!.sendBytes(recordOf({ type: 'NO_SUCH_EVENT' }));
    await f.master.stream!.send({ type: 'RESCIND', rescind: { offer_id: { value: 'o9' } } });
    await eventually('the next event is delivered', () => f.named('rescind').length === 1);
    expect(f.logged('warn', /dropped an event .* does not decode/)).to.have.length(1);
  });

  it('follows a 307 whose Location is protocol-relative to the leader, keeping the scheme, and sends calls there', async () => {
    const leader = await f.extraMaster('m2');
    f.master.answerSubscribe = () => ({ kind: 'status', status: 307, headers: { Location: `//127.0.0.1:${leader.port}/api/v1/scheduler` } });
    const driver = f.makeDriver();
    expect(await driver.start()).to.equal('fw-0001');
    expect(f.master.requests).to.have.length(1);
    expect(leader.calls('SUBSCRIBE')).to.have.length(1);
    expect(f.named('subscribed')[0]![1]).to.deep.equal({ reconnected: false, masterId: 'm2' });
    driver.decline(['o1']);
    await eventually('the DECLINE reaches the leader', () => leader.nonSubscribeCalls().length === 1);
    expect(leader.callRequests()[0]!.headers['mesos-stream-id']).to.equal('m2-stream-1');
    expect(f.master.requests).to.have.length(1);
  });

  it('retries SUBSCRIBE with the driver\'s back-off while the master answers 503, then subscribes', async () => {
    f.master.answerSubscribe = (_call, n) => (n < 2 ? { kind: 'status', status: 503, body: 'No leader elected' } : { kind: 'stream' });
    const driver = f.makeDriver();
    const started = driver.start();
    await eventually('the first SUBSCRIBE is answered', () => f.logged('warn', /503 Service Unavailable/).length === 1);
    await f.advance(400, 50);
    expect(f.master.requests).to.have.length(1); // the first retry waits at least 500 ms
    await f.advance(700, 50);
    await eventually('the second SUBSCRIBE is answered', () => f.logged('warn', /503/).length === 2);
    await f.advance(2_100, 50);
    expect(await started).to.equal('fw-0001');
    expect(f.master.calls('SUBSCRIBE')).to.have.length(3);
    expect(f.logged('warn', /No leader elected/)).to.have.length(2);
  });

  it('takes a refused connection as no master yet: after a redirect to a dead leader it asks the configured master again', async () => {
    const dead = await f.extraMaster('dead');
    const deadPort = dead.port;
    await dead.stop();
    f.master.answerSubscribe = (_call, n) => (n === 0 ? { kind: 'status', status: 307, headers: { Location: `//127.0.0.1:${deadPort}/api/v1/scheduler` } } : { kind: 'stream' });
    const driver = f.makeDriver();
    const started = driver.start();
    await eventually('the dead leader refuses the connection', () => f.logged('warn', /ECONNREFUSED/).length === 1);
    await f.advance(1_100, 50);
    expect(await started).to.equal('fw-0001');
    expect(f.master.calls('SUBSCRIBE')).to.have.length(2);
  });

  it('rejects start() with the master\'s status and reason when it refuses SUBSCRIBE (400), and does not retry', async () => {
    f.master.answerSubscribe = () => ({ kind: 'status', status: 400, body: 'Failed to validate scheduler::Call: Expecting \'framework_info\' to be present' });
    const driver = f.makeDriver();
    const err = await driver.start().then(() => undefined, (e: Error) => e);
    expect(err).to.be.instanceOf(SubscriptionRefusedError);
    expect(err!.message).to.equal('the master refused the subscription: Received unexpected \'400 Bad Request\' '
      + `(Failed to validate scheduler::Call: Expecting 'framework_info' to be present) for SUBSCRIBE from ${f.master.url}/api/v1/scheduler`);
    expect(driver.state).to.equal('aborted');
    expect(f.named('error')).to.have.length(1);
    await f.advance(60_000, 5_000);
    expect(f.master.requests).to.have.length(1);
  });

  it('refuses a 200 without Mesos-Stream-Id: it is not a Mesos scheduler API', async () => {
    f.master.answerSubscribe = () => ({ kind: 'stream', streamId: null });
    const err = await f.makeDriver().start().then(() => undefined, (e: Error) => e);
    expect(err).to.be.instanceOf(SubscriptionRefusedError);
    expect(err!.message).to.match(/has no Mesos-Stream-Id header: not a Mesos scheduler API/);
  });

  it('aborts on an ERROR event and closes its stream', async () => {
    const driver = await f.subscribed();
    await f.master.stream!.send({ type: 'ERROR', error: { message: 'Framework has been removed' } });
    await eventually('the error callback runs', () => f.named('error').length === 1);
    expect(f.named('error')).to.deep.equal([['Framework has been removed']]);
    expect(driver.state).to.equal('aborted');
    await eventually('the stream is closed', () => f.master.stream!.closed);
    await f.advance(60_000, 5_000);
    expect(f.master.calls('SUBSCRIBE')).to.have.length(1);
  });

  it('re-subscribes with its framework id when no event comes for five heartbeat intervals, closing the silent stream', async () => {
    f.master.answerSubscribe = () => ({ kind: 'stream', heartbeatSeconds: 1 });
    const driver = await f.subscribed();
    await f.advance(4_900);
    expect(f.named('disconnected')).to.have.length(0);
    await f.advance(200);
    expect(f.named('disconnected')).to.have.length(1);
    await eventually('the driver subscribes again', () => driver.state === 'subscribed' && f.named('subscribed').length === 2);
    const [, again] = f.master.calls('SUBSCRIBE');
    expect(again!.framework_id).to.deep.equal({ value: 'fw-0001' });
    expect(again!.subscribe!.framework_info.id).to.deep.equal({ value: 'fw-0001' });
    expect(f.named('subscribed')[1]).to.deep.equal(['fw-0001', { reconnected: true, masterId: 'm1' }]);
    await eventually('the silent stream is closed', () => f.master.streams[0]!.closed);
    expect(f.master.streams[1]!.closed).to.equal(false);
  });

  it('stays subscribed while heartbeats keep coming', async () => {
    f.master.answerSubscribe = () => ({ kind: 'stream', heartbeatSeconds: 1 });
    await f.subscribed();
    for (let s = 1; s <= 10; s += 1) {
      await f.master.stream!.send({ type: 'HEARTBEAT' });
      await eventually(`heartbeat ${s} arrives`, () => f.named('heartbeat').length === s);
      await f.advance(1_000);
    }
    expect(f.named('disconnected')).to.have.length(0);
    expect(f.master.calls('SUBSCRIBE')).to.have.length(1);
  });

  it('re-subscribes at once when the master closes the stream', async () => {
    const driver = await f.subscribed();
    f.master.stream!.end();
    await eventually('the driver subscribes again', () => f.named('subscribed').length === 2);
    expect(f.named('disconnected')).to.have.length(1);
    expect(f.master.calls('SUBSCRIBE')[1]!.framework_id).to.deep.equal({ value: 'fw-0001' });
    expect(driver.state).to.equal('subscribed');
    expect(f.logged('warn', /lost the master: .* closed the event stream/)).to.have.length(1);
  });

  it('takes a stream that breaks the RecordIO framing as a lost master', async () => {
    await f.subscribed();
    await f.master.stream!.sendBytes(Buffer.from('12x\n{}'));
    await eventually('the driver subscribes again', () => f.named('subscribed').length === 2);
    expect(f.logged('warn', /lost the master: the event stream of .* broke: a RecordIO length prefix must be decimal digits/)).to.have.length(1);
  });
});
