import { expect } from 'chai';
import { NotSubscribedError } from '../src/errors.js';
import { eventually, httpFixture } from './http-support.js';

type Fixture = Awaited<ReturnType<typeof httpFixture>>;

const FW = { value: 'fw-0001' };
/** 16 bytes in base64, as Mesos's JSON carries a status update's uuid. */
const UUID = 'q83vEjRWeJCrze8SNFZ4kA==';

describe('SchedulerDriver over HTTP: calls', () => {
  let f: Fixture;
  beforeEach(async () => { f = await httpFixture(); });
  afterEach(async () => { await f.stop(); });

  it('sends every call as a POST of its own with the stream id, in the order made, in Mesos\'s JSON', async () => {
    const driver = await f.subscribed();
    driver.decline(['o1'], { refuse_seconds: 5 });
    driver.revive(['web']);
    driver.kill('t1', 'a1');
    driver.acknowledge('a1', 't1', UUID);
    driver.reconcile([{ task_id: 't1' }]);
    driver.message('a1', 'e1', 'aGk=');
    driver.suppress();
    await eventually('every call arrives', () => f.master.nonSubscribeCalls().length === 7);
    for (const request of f.master.callRequests()) {
      expect(request.method).to.equal('POST');
      expect(request.path).to.equal('/api/v1/scheduler');
      expect(request.headers['content-type']).to.equal('application/json');
      expect(request.headers['accept']).to.equal('application/json');
      expect(request.headers['mesos-stream-id']).to.equal('m1-stream-1');
    }
    expect(f.master.nonSubscribeCalls()).to.deep.equal([
      { framework_id: FW, type: 'DECLINE', decline: { offer_ids: [{ value: 'o1' }], filters: { refuse_seconds: 5 } } },
      { framework_id: FW, type: 'REVIVE', revive: { roles: ['web'] } },
      { framework_id: FW, type: 'KILL', kill: { task_id: { value: 't1' }, agent_id: { value: 'a1' } } },
      { framework_id: FW, type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a1' }, task_id: { value: 't1' }, uuid: UUID } },
      { framework_id: FW, type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 't1' } }] } },
      { framework_id: FW, type: 'MESSAGE', message: { agent_id: { value: 'a1' }, executor_id: { value: 'e1' }, data: 'aGk=' } },
      { framework_id: FW, type: 'SUPPRESS', suppress: {} },
    ]);
  });

  it('keeps calls in order even when the master is slow to answer each', async () => {
    const driver = await f.subscribed();
    let answered = 0;
    f.master.answerCall = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5 * (3 - (answered % 3))));
      answered += 1;
      return { status: 202 };
    };
    for (let i = 0; i < 12; i += 1) driver.kill(`t${i}`);
    await eventually('every call arrives', () => answered === 12);
    expect(f.master.nonSubscribeCalls().map((c) => c.kill!.task_id.value)).to.deep.equal([...Array(12).keys()].map((i) => `t${i}`));
  });

  it('acknowledges an update echoing its base64 uuid, once the update callback returns', async () => {
    await f.subscribed();
    await f.master.stream!.send({
      type: 'UPDATE',
      update: { status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', agent_id: { value: 'a1' }, uuid: UUID, source: 'SOURCE_EXECUTOR', timestamp: 1 } },
    });
    await eventually('the ACKNOWLEDGE arrives', () => f.master.nonSubscribeCalls().length === 1);
    expect(f.master.nonSubscribeCalls()).to.deep.equal([
      { framework_id: FW, type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a1' }, task_id: { value: 't1' }, uuid: UUID } },
    ]);
    expect(f.master.callRequests()[0]!.headers['mesos-stream-id']).to.equal('m1-stream-1');
  });

  it('reconciles after SUBSCRIBED when asked: explicit, then implicit, on the new stream', async () => {
    await f.subscribed({ reconcileOnSubscribe: true, tasksToReconcile: () => [{ task_id: 't1', agent_id: 'a1' }] });
    await eventually('both RECONCILE calls arrive', () => f.master.nonSubscribeCalls().length === 2);
    expect(f.master.nonSubscribeCalls()).to.deep.equal([
      { framework_id: FW, type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'a1' } }] } },
      { framework_id: FW, type: 'RECONCILE', reconcile: { tasks: [] } },
    ]);
  });

  it('hands a call the master refuses (403) to the error callback with its status and reason, as Mesos\'s library does, and aborts', async () => {
    const driver = await f.subscribed();
    f.master.answerCall = () => ({ status: 403, body: 'Framework is not subscribed' });
    driver.decline(['o1']);
    await eventually('the error callback runs', () => f.named('error').length === 1);
    expect(f.named('error')).to.deep.equal([['Received unexpected \'403 Forbidden\' (Framework is not subscribed) for DECLINE']]);
    expect(driver.state).to.equal('aborted');
    await eventually('the stream is closed', () => f.master.stream!.closed);
    expect(() => driver.revive()).to.throw(NotSubscribedError, /while the driver is aborted/);
  });

  it('takes a 503 to a call as a master failing over: logged, and the driver stays subscribed', async () => {
    const driver = await f.subscribed();
    f.master.answerCall = () => ({ status: 503, body: 'Not the leader' });
    driver.decline(['o1']);
    await eventually('the answer is logged', () => f.logged('warn', /DECLINE was not taken: the master answered '503 Service Unavailable' \(Not the leader\)/).length === 1);
    expect(driver.state).to.equal('subscribed');
    expect(f.named('error')).to.have.length(0);
  });

  it('stop() sends TEARDOWN and closes the stream only once the master has answered it', async () => {
    const driver = await f.subscribed();
    let streamOpenAtTeardown: boolean | undefined;
    f.master.answerCall = async (call) => {
      streamOpenAtTeardown = call.type === 'TEARDOWN' && !f.master.stream!.closed;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { status: 202 };
    };
    await driver.stop();
    expect(f.master.nonSubscribeCalls()).to.deep.equal([{ framework_id: FW, type: 'TEARDOWN' }]);
    expect(streamOpenAtTeardown).to.equal(true);
    await eventually('the stream is closed', () => f.master.stream!.closed);
    expect(driver.state).to.equal('stopped');
  });

  it('stop() waits 5 s at most for a TEARDOWN the master does not answer, then closes the stream anyway', async () => {
    const driver = await f.subscribed();
    f.master.answerCall = () => new Promise(() => undefined);
    let stopped = false;
    const stopping = driver.stop().then(() => { stopped = true; });
    await eventually('the TEARDOWN arrives', () => f.master.nonSubscribeCalls().length === 1);
    await f.advance(4_900);
    expect(stopped).to.equal(false);
    expect(f.master.stream!.closed).to.equal(false);
    await f.advance(100);
    await stopping;
    await eventually('the stream is closed', () => f.master.stream!.closed);
  });

  it('stop({failover: true}) only closes the stream: no call is sent', async () => {
    const driver = await f.subscribed();
    await driver.stop({ failover: true });
    await eventually('the stream is closed', () => f.master.stream!.closed);
    expect(f.master.nonSubscribeCalls()).to.deep.equal([]);
  });

  it('throws NotSubscribedError for calls before SUBSCRIBED, sending nothing', async () => {
    f.master.answerSubscribe = () => ({ kind: 'stream', first: 'none' });
    const driver = f.makeDriver();
    void driver.start().catch(() => undefined);
    await eventually('the stream is open', () => f.master.stream !== undefined);
    expect(() => driver.decline(['o1'])).to.throw(NotSubscribedError, /while the driver is subscribing/);
    expect(f.master.nonSubscribeCalls()).to.deep.equal([]);
  });
});
