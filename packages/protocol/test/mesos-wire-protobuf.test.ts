import { expect } from 'chai';
import { Buffer } from 'node:buffer';
import { updateUuid } from '../src/ids.js';
import {
  decodeExecutorCall,
  decodeExecutorEvent,
  decodeSchedulerCall,
  decodeSchedulerEvent,
  encodeExecutorCall,
  encodeExecutorEvent,
  encodeSchedulerCall,
  encodeSchedulerEvent,
  type WireFormat,
} from '../src/mesos-wire/index.js';
import { protoType } from '../src/mesos-wire/proto-root.js';
import { UUID, executorCalls, executorEvents, schedulerCalls, schedulerEvents, taskStatus } from './mesos-wire-samples.js';

const ok = <T>(decoded: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!decoded.ok) throw new Error(`expected ok, got: ${decoded.error}`);
  return decoded.value;
};
const refused = (decoded: { ok: boolean; error?: string }): string => {
  expect(decoded.ok).to.equal(false);
  return decoded.error!;
};
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** A protobuf body as a client compiled from Mesos's .proto would write it. */
const clientBody = (type: string, message: Record<string, unknown>): Uint8Array => {
  const t = protoType(type);
  return t.encode(t.fromObject(message)).finish();
};

describe('mesos wire: protobuf round trips', () => {
  for (const call of schedulerCalls) {
    it(`scheduler Call ${call.type}`, () => {
      expect(ok(decodeSchedulerCall(encodeSchedulerCall(call, 'protobuf'), 'protobuf'))).to.deep.equal(call);
    });
  }
  for (const event of schedulerEvents) {
    const what = event.offers?.inverse_offers === undefined ? event.type : 'OFFERS with inverse offers (INVERSE_OFFERS in Mesos)';
    it(`scheduler Event ${what}`, () => {
      expect(ok(decodeSchedulerEvent(encodeSchedulerEvent(event, 'protobuf'), 'protobuf'))).to.deep.equal(event);
    });
  }
  for (const call of executorCalls) {
    it(`executor Call ${call.type}`, () => {
      expect(ok(decodeExecutorCall(encodeExecutorCall(call, 'protobuf'), 'protobuf'))).to.deep.equal(call);
    });
  }
  for (const event of executorEvents) {
    it(`executor Event ${event.type}`, () => {
      expect(ok(decodeExecutorEvent(encodeExecutorEvent(event, 'protobuf'), 'protobuf'))).to.deep.equal(event);
    });
  }
});

describe('mesos wire: protobuf bytes as Mesos lays them out', () => {
  it('numbers a scheduler Call as scheduler.proto does (framework_id 1, type 2, TEARDOWN = 2)', () => {
    // 0a 03 [0a 01 'f'] : field 1, 3 bytes: FrameworkID{value 'f'}; 10 02 : field 2 varint 2.
    expect(hex(encodeSchedulerCall({ type: 'TEARDOWN', framework_id: { value: 'f' } }, 'protobuf'))).to.equal('0a030a0166' + '1002');
  });

  it('writes an ACKNOWLEDGE uuid as its 16 raw bytes (field 3 of Acknowledge)', () => {
    const body = encodeSchedulerCall({ type: 'ACKNOWLEDGE', framework_id: { value: 'f' }, acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: UUID } }, 'protobuf');
    expect(hex(body)).to.contain('1a10' + Buffer.from(UUID, 'base64').toString('hex'));
  });

  it('numbers the executor MESSAGE call data field 2, as executor.proto does', () => {
    const body = encodeExecutorCall({ type: 'MESSAGE', executor_id: { value: 'e' }, framework_id: { value: 'f' }, message: { data: 'aGk=' } }, 'protobuf');
    // 32 04 [12 02 'h' 'i'] : field 6 (message), 4 bytes: field 2, 2 bytes.
    expect(hex(body)).to.contain('3204' + '1202' + '6869');
  });

  it('skips fields it does not know, as protobuf does (a field 99 appended)', () => {
    const body = Buffer.concat([Buffer.from(encodeSchedulerCall({ type: 'TEARDOWN', framework_id: { value: 'f' } }, 'protobuf')), Buffer.from([0x98, 0x06, 0x01])]);
    expect(ok(decodeSchedulerCall(body, 'protobuf'))).to.deep.equal({ type: 'TEARDOWN', framework_id: { value: 'f' } });
  });
});

describe('mesos wire: status update uuids', () => {
  const random = { state: 7, nextUint32(): number { this.state = (this.state * 1_103_515_245 + 12_345) >>> 0; return this.state; } };

  for (const format of ['json', 'protobuf'] as WireFormat[]) {
    it(`the uuid a client gets in UPDATE and echoes in ACKNOWLEDGE is the agent's own (${format})`, () => {
      for (let i = 0; i < 50; i++) {
        const internal = updateUuid(random);
        const update = encodeSchedulerEvent({ type: 'UPDATE', update: { status: { ...taskStatus, uuid: internal } } }, format);
        // The client: a generic JSON or protobuf reader that treats uuid as opaque bytes.
        const bytes = format === 'json'
          ? Buffer.from(JSON.parse(new TextDecoder().decode(update)).update.status.uuid as string, 'base64')
          : (protoType('mesos.v1.scheduler.Event').decode(update) as unknown as { update: { status: { uuid: Uint8Array } } }).update.status.uuid;
        expect(bytes).to.have.length(16);
        const ack = { type: 'ACKNOWLEDGE', framework_id: { value: 'f' }, acknowledge: { agent_id: { value: 'a' }, task_id: taskStatus.task_id, uuid: bytes } };
        const body = format === 'json'
          ? new TextEncoder().encode(JSON.stringify({ ...ack, acknowledge: { ...ack.acknowledge, uuid: Buffer.from(bytes).toString('base64') } }))
          : clientBody('mesos.v1.scheduler.Call', ack);
        expect(ok(decodeSchedulerCall(body, format)).acknowledge!.uuid).to.equal(internal);
      }
    });
  }

  it('reads the uuid an HTTP executor sends in UPDATE (any 16 bytes) as the base64 the agent keeps', () => {
    const raw = Buffer.from('00ff10e0c1d2e3f4a5b6c7d8e9fa0b1c', 'hex');
    const call = { type: 'UPDATE', executor_id: { value: 'e' }, framework_id: { value: 'f' }, update: { status: { task_id: { value: 't' }, state: 'TASK_RUNNING', uuid: raw } } };
    const decoded = ok(decodeExecutorCall(clientBody('mesos.v1.executor.Call', call), 'protobuf'));
    expect(decoded.update!.status.uuid).to.equal(raw.toString('base64'));
    // ... and the agent's ACKNOWLEDGED gives the executor the same bytes back.
    const acked = encodeExecutorEvent({ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't' }, uuid: decoded.update!.status.uuid! } }, 'protobuf');
    const back = protoType('mesos.v1.executor.Event').decode(acked) as unknown as { acknowledged: { uuid: Uint8Array } };
    expect(Buffer.from(back.acknowledged.uuid)).to.deep.equal(raw);
  });
});

describe('mesos wire: bad protobuf', () => {
  const teardown = encodeSchedulerCall({ type: 'TEARDOWN', framework_id: { value: 'framework-1' } }, 'protobuf');

  it('refuses garbage', () => {
    expect(refused(decodeSchedulerCall(Buffer.from('{"type":"TEARDOWN"}'), 'protobuf'))).to.match(/^body is not a mesos\.v1\.scheduler\.Call in protobuf \(/);
    expect(refused(decodeExecutorCall(Buffer.from([0xff, 0xff, 0xff, 0xff]), 'protobuf'))).to.match(/^body is not a mesos\.v1\.executor\.Call in protobuf \(/);
  });

  it('refuses a truncated message', () => {
    expect(refused(decodeSchedulerCall(teardown.subarray(0, teardown.length - 4), 'protobuf'))).to.match(/^body is not a mesos\.v1\.scheduler\.Call in protobuf \(index out of range/);
  });

  // Bodies written byte by byte: protobufjs, like any generated client, will not write a bad enum.
  it('refuses an enum number Mesos does not define, naming the field', () => {
    // framework_id {value 'f'}; type = 42.
    expect(refused(decodeSchedulerCall(Buffer.from('0a030a0166' + '102a', 'hex'), 'protobuf'))).to.equal('call.type: 42 is not a value of mesos.v1.scheduler.Call.Type');
    // type UPDATE; update {status {task_id {value 't'}; state = 77}}: a required enum, so the decode itself fails.
    const update = '0804' + '2a09' + '0a07' + '0a030a0174' + '104d';
    expect(refused(decodeSchedulerEvent(Buffer.from(update, 'hex'), 'protobuf'))).to.equal('mesos.v1.TaskStatus.state: 77 is not a value of mesos.v1.TaskState');
  });

  it('refuses a message missing a required field', () => {
    // ACKNOWLEDGE with agent_id and task_id but no uuid (field 3 of Acknowledge).
    const noUuid = '0a030a0166' + '1008' + '420a' + '0a030a0161' + '12030a0174';
    expect(refused(decodeSchedulerCall(Buffer.from(noUuid, 'hex'), 'protobuf'))).to.equal("body is not a mesos.v1.scheduler.Call in protobuf (missing required 'uuid')");
  });

  it('refuses to encode what Mesos cannot read: a reason outside its enum, a uuid that is not base64', () => {
    expect(() => encodeSchedulerEvent({ type: 'UPDATE', update: { status: { ...taskStatus, reason: 'REASON_FROB' } } }, 'protobuf'))
      .to.throw('scheduler.Event has no mesos.v1.scheduler.Event form: event.update.status.reason: "REASON_FROB" is not a value of mesos.v1.TaskStatus.Reason');
    expect(() => encodeSchedulerEvent({ type: 'UPDATE', update: { status: { ...taskStatus, uuid: 'u-1!' } } }, 'protobuf')).to.throw(/event\.update\.status\.uuid: is not base64/);
  });
});
