import { expect } from 'chai';
import { decodeSchedulerCall, encodeSchedulerEvent } from '@tessera/protocol';
import { framed } from './http-fake-master.js';
import { eventually, httpFixture } from './http-support.js';
import { offer } from './support.js';

type Fixture = Awaited<ReturnType<typeof httpFixture>>;

const FW = { value: 'fw-0001' };
const UUID = 'q83vEjRWeJCrze8SNFZ4kA==';

describe('SchedulerDriver over HTTP: protobuf', () => {
  let f: Fixture;
  beforeEach(async () => { f = await httpFixture(); });
  afterEach(async () => { await f.stop(); });

  it('subscribes with application/x-protobuf bodies and reads a protobuf RecordIO stream', async () => {
    const driver = f.makeDriver({ contentType: 'protobuf' });
    expect(await driver.start()).to.equal('fw-0001');
    const [request] = f.master.requests;
    expect(request!.headers['content-type']).to.equal('application/x-protobuf');
    expect(request!.headers['accept']).to.equal('application/x-protobuf');
    // The body is protobuf, not JSON: it decodes only as such.
    expect(() => JSON.parse(request!.raw.toString('utf8'))).to.throw();
    expect(decodeSchedulerCall(request!.raw, 'protobuf')).to.deep.include({
      ok: true, value: { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'tester', name: 'test' } } },
    });
    expect(f.named('subscribed')).to.deep.equal([['fw-0001', { reconnected: false, masterId: 'm1' }]]);
  });

  it('delivers protobuf events cut inside their binary records, and acknowledges in protobuf with the uuid\'s bytes', async () => {
    await f.subscribed({ contentType: 'protobuf' });
    const offers = framed(encodeSchedulerEvent({ type: 'OFFERS', offers: { offers: [offer('o1', 'a1')] } }, 'protobuf'));
    await f.master.stream!.sendBytes(offers, [1, offers.indexOf(0x0a) + 1, offers.length - 1]);
    const update = framed(encodeSchedulerEvent({
      type: 'UPDATE',
      update: { status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', agent_id: { value: 'a1' }, uuid: UUID, source: 'SOURCE_EXECUTOR', timestamp: 1 } },
    }, 'protobuf'));
    await f.master.stream!.sendBytes(update, [5, 9, 13]);
    await eventually('the ACKNOWLEDGE arrives', () => f.master.nonSubscribeCalls().length === 1);
    expect((f.named('offers')[0]![0] as { id: { value: string } }[]).map((o) => o.id.value)).to.deep.equal(['o1']);
    expect(f.master.callRequests()[0]!.headers['content-type']).to.equal('application/x-protobuf');
    expect(f.master.nonSubscribeCalls()).to.deep.equal([
      { framework_id: FW, type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a1' }, task_id: { value: 't1' }, uuid: UUID } },
    ]);
  });
});
