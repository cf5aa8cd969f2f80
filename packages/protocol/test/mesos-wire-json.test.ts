import { expect } from 'chai';
import { Buffer } from 'node:buffer';
import {
  WIRE_CONTENT_TYPE,
  acceptedWireFormat,
  decodeExecutorCall,
  decodeExecutorEvent,
  decodeSchedulerCall,
  decodeSchedulerEvent,
  encodeExecutorCall,
  encodeExecutorEvent,
  encodeSchedulerCall,
  encodeSchedulerEvent,
  wireFormatOf,
} from '../src/mesos-wire/index.js';
import { executorCalls, executorEvents, schedulerCalls, schedulerEvents } from './mesos-wire-samples.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const ok = <T>(decoded: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!decoded.ok) throw new Error(`expected ok, got: ${decoded.error}`);
  return decoded.value;
};

describe('mesos wire: content types', () => {
  it('reads the request format from Content-Type, ignoring parameters and case', () => {
    expect(wireFormatOf('application/json')).to.equal('json');
    expect(wireFormatOf('Application/JSON; charset=utf-8')).to.equal('json');
    expect(wireFormatOf('application/x-protobuf')).to.equal('protobuf');
    expect(wireFormatOf(undefined)).to.equal('json');
    expect(wireFormatOf('text/plain')).to.equal(undefined);
    expect(wireFormatOf('application/recordio')).to.equal(undefined);
  });

  it('picks the answer format from Accept: JSON when both are allowed, protobuf when only it is, none otherwise', () => {
    expect(acceptedWireFormat(undefined)).to.equal('json');
    expect(acceptedWireFormat('*/*')).to.equal('json');
    expect(acceptedWireFormat('application/*')).to.equal('json');
    expect(acceptedWireFormat('application/x-protobuf, application/json')).to.equal('json');
    expect(acceptedWireFormat('application/x-protobuf')).to.equal('protobuf');
    expect(acceptedWireFormat('application/json;q=0, application/x-protobuf')).to.equal('protobuf');
    expect(acceptedWireFormat('*/*;q=0')).to.equal(undefined);
    expect(acceptedWireFormat('text/html')).to.equal(undefined);
    expect(WIRE_CONTENT_TYPE).to.deep.equal({ json: 'application/json', protobuf: 'application/x-protobuf' });
  });
});

describe('mesos wire: JSON round trips', () => {
  for (const call of schedulerCalls) {
    it(`scheduler Call ${call.type}`, () => {
      expect(ok(decodeSchedulerCall(encodeSchedulerCall(call, 'json'), 'json'))).to.deep.equal(call);
    });
  }
  for (const event of schedulerEvents) {
    const what = event.offers?.inverse_offers === undefined ? event.type : 'OFFERS with inverse offers (INVERSE_OFFERS in Mesos)';
    it(`scheduler Event ${what}`, () => {
      expect(ok(decodeSchedulerEvent(encodeSchedulerEvent(event, 'json'), 'json'))).to.deep.equal(event);
    });
  }
  for (const call of executorCalls) {
    it(`executor Call ${call.type}`, () => {
      expect(ok(decodeExecutorCall(encodeExecutorCall(call, 'json'), 'json'))).to.deep.equal(call);
    });
  }
  for (const event of executorEvents) {
    it(`executor Event ${event.type}`, () => {
      expect(ok(decodeExecutorEvent(encodeExecutorEvent(event, 'json'), 'json'))).to.deep.equal(event);
    });
  }
});

describe('mesos wire: JSON as Mesos writes it', () => {
  it('writes an internal OFFERS event with only inverse offers as Mesos INVERSE_OFFERS', () => {
    const event = schedulerEvents.find((e) => e.offers?.inverse_offers !== undefined)!;
    const written = JSON.parse(text(encodeSchedulerEvent(event, 'json')));
    expect(written.type).to.equal('INVERSE_OFFERS');
    expect(written.inverse_offers.inverse_offers).to.deep.equal(event.offers!.inverse_offers);
    expect(written).to.not.have.property('offers');
  });

  it('leaves out an empty inverse_offers list, which Mesos\'s OFFERS event does not have', () => {
    const written = JSON.parse(text(encodeSchedulerEvent({ type: 'OFFERS', offers: { offers: [], inverse_offers: [] } }, 'json')));
    expect(written).to.deep.equal({ type: 'OFFERS', offers: { offers: [] } });
  });

  it('refuses to write an OFFERS event holding offers and inverse offers at once', () => {
    const offers = schedulerEvents.find((e) => e.type === 'OFFERS' && e.offers!.offers.length > 0)!.offers!.offers;
    const inverse = schedulerEvents.find((e) => e.offers?.inverse_offers !== undefined)!.offers!.inverse_offers;
    expect(() => encodeSchedulerEvent({ type: 'OFFERS', offers: { offers, inverse_offers: inverse } }, 'json')).to.throw(/two events/);
  });

  it('fills the MasterInfo ip and port Mesos requires with 0 when the master left them out', () => {
    const written = JSON.parse(text(encodeSchedulerEvent({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'f' }, master_info: { id: 'm', hostname: 'h' } } }, 'json')));
    expect(written.subscribed.master_info).to.deep.equal({ ip: 0, port: 0, id: 'm', hostname: 'h' });
  });

  it('sends a single role to a Mesos master as the pre-MULTI_ROLE `role`, several with the MULTI_ROLE capability', () => {
    const info = { user: 'u', name: 'n' };
    const one = JSON.parse(text(encodeSchedulerCall({ type: 'SUBSCRIBE', subscribe: { framework_info: { ...info, roles: ['web'] } } }, 'json')));
    expect(one.subscribe.framework_info).to.deep.equal({ ...info, role: 'web' });
    const two = JSON.parse(text(encodeSchedulerCall({ type: 'SUBSCRIBE', subscribe: { framework_info: { ...info, roles: ['a', 'b'] } } }, 'json')));
    expect(two.subscribe.framework_info).to.deep.equal({ ...info, roles: ['a', 'b'], capabilities: [{ type: 'MULTI_ROLE' }] });
  });
});

describe('mesos wire: JSON from Mesos clients', () => {
  it('decodes SUBSCRIBE with capabilities and labels, dropping the FrameworkInfo fields Tessera does not model', () => {
    const body = {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: {
          user: 'foo', name: 'Example HTTP Framework', roles: ['test'],
          capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }],
          labels: { labels: [{ key: 'framework_group', value: 'group1' }] },
          webui_url: 'http://sched:8080/', offer_filters: { test: { min_allocatable_resources: { quantities: [] } } },
        },
      },
    };
    const decoded = decodeSchedulerCall(json(body), 'json');
    expect(decoded).to.deep.include({ ok: true });
    const { webui_url: _w, offer_filters: _o, ...modelled } = body.subscribe.framework_info;
    expect(ok(decoded).subscribe!.framework_info).to.deep.equal(modelled);
    expect(decoded.ok && decoded.ignored).to.deep.equal(['call.subscribe.framework_info.webui_url', 'call.subscribe.framework_info.offer_filters']);
  });

  it('maps the deprecated single `role` to `roles`', () => {
    const call = ok(decodeSchedulerCall(json({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'n', role: 'web' } } }), 'json'));
    expect(call.subscribe!.framework_info.roles).to.deep.equal(['web']);
  });

  it('decodes ACCEPT with a LAUNCH of a command task, its resources, health check and container (type and rlimits; volumes ignored)', () => {
    const body = {
      framework_id: { value: '12220-3440-12532-2345' },
      type: 'ACCEPT',
      accept: {
        offer_ids: [{ value: '12220-3440-12532-O12' }],
        operations: [{
          type: 'LAUNCH',
          launch: {
            task_infos: [{
              name: 'My Task', task_id: { value: '12220-3440-12532-my-task' }, agent_id: { value: '12220-3440-12532-S1233' },
              command: { shell: true, value: 'sleep 1000' },
              resources: [{ allocation_info: { role: 'engineering' }, name: 'cpus', role: '*', type: 'SCALAR', scalar: { value: 1.0 } },
                { allocation_info: { role: 'engineering' }, name: 'mem', role: '*', type: 'SCALAR', scalar: { value: 128.0 } }],
              container: { type: 'MESOS', volumes: [{ container_path: '/data', mode: 'RW' }], rlimit_info: { rlimits: [{ type: 'RLMT_NOFILE', soft: 64, hard: 128 }, { type: 'RLMT_CORE' }] } }, health_check: { type: 'COMMAND', command: { value: 'true' } },
            }],
          },
        }],
        filters: { refuse_seconds: 5.0 },
      },
    };
    const call = ok(decodeSchedulerCall(json(body), 'json'));
    const task = call.accept!.operations[0]!.launch!.task_infos[0]!;
    expect(task.resources).to.deep.equal(body.accept.operations[0]!.launch.task_infos[0]!.resources);
    expect(task.command).to.deep.equal({ shell: true, value: 'sleep 1000' });
    expect(task.health_check).to.deep.equal({ type: 'COMMAND', command: { value: 'true' } });
    expect(task.container).to.deep.equal({ type: 'MESOS', rlimit_info: { rlimits: [{ type: 'RLMT_NOFILE', soft: 64, hard: 128 }, { type: 'RLMT_CORE' }] } });
  });

  it('decodes ACKNOWLEDGE with a base64 uuid (to the canonical base64 of its bytes), REVIVE with roles and null as unset', () => {
    // The uuid of the Mesos docs' example, unpadded: the same bytes as Tessera writes them.
    const ack = ok(decodeSchedulerCall(json({ framework_id: { value: 'f' }, type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: 'jhadf73jhakdlfha723adf' } }), 'json'));
    expect(ack.acknowledge!.uuid).to.equal('jhadf73jhakdlfha723adQ==');
    expect(Buffer.from(ack.acknowledge!.uuid, 'base64')).to.deep.equal(Buffer.from('jhadf73jhakdlfha723adf', 'base64'));
    const revive = ok(decodeSchedulerCall(json({ framework_id: { value: 'f' }, type: 'REVIVE', revive: { roles: ['a'] }, kill: null }), 'json'));
    expect(revive).to.deep.equal({ framework_id: { value: 'f' }, type: 'REVIVE', revive: { roles: ['a'] } });
  });

  it('decodes DECLINE without offer_ids as an empty list, as protobuf reads a missing repeated field', () => {
    expect(ok(decodeSchedulerCall(json({ framework_id: { value: 'f' }, type: 'DECLINE', decline: {} }), 'json')).decline).to.deep.equal({ offer_ids: [] });
  });

  it('decodes the events of a Mesos master: ERROR, UPDATE with data, INVERSE_OFFERS', () => {
    expect(ok(decodeSchedulerEvent(json({ type: 'ERROR', error: { message: 'Framework failed over' } }), 'json'))).to.deep.equal({ type: 'ERROR', error: { message: 'Framework failed over' } });
    const update = ok(decodeSchedulerEvent(json({
      type: 'UPDATE',
      update: { status: { task_id: { value: 't' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: 'q83vEjRWeJCrze8SNFZ4kA==', data: 'aGVsbG8=', container_status: { network_infos: [] } } },
    }), 'json'));
    expect(update.update!.status).to.deep.equal({ task_id: { value: 't' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: 'q83vEjRWeJCrze8SNFZ4kA==', data: 'aGVsbG8=' });
    const inverse = ok(decodeSchedulerEvent(json({
      type: 'INVERSE_OFFERS',
      inverse_offers: { inverse_offers: [{ id: { value: 'io' }, framework_id: { value: 'f' }, agent_id: { value: 'a' }, unavailability: { start: { nanoseconds: 1 } } }] },
    }), 'json'));
    expect(inverse).to.deep.equal({ type: 'OFFERS', offers: { offers: [], inverse_offers: [{ id: { value: 'io' }, framework_id: { value: 'f' }, agent_id: { value: 'a' }, unavailability: { start: { nanoseconds: 1 } } }] } });
  });
});

describe('mesos wire: JSON from Mesos executors and agents', () => {
  const executor = { executor_id: { value: '387aa966-8fc5-4428-a794-5a868a60d3eb' }, framework_id: { value: '49154f1b-8cf6-4421-bf13-8bd11dccd1f1' } };
  const taskId = { value: 'd40f3f3e-bbe3-44af-a230-4cb1eae72f67' };
  const uuid = 'ZDQwZjNmM2UtYmJlMy00NGFmLWEyMzAtNGNiMWVhZTcyZjY3Cg==';

  it('decodes SUBSCRIBE with unacknowledged tasks and updates as the executor API docs write it', () => {
    const body = {
      ...executor,
      type: 'SUBSCRIBE',
      subscribe: {
        unacknowledged_tasks: [{ name: 'dummy-task', task_id: taskId, agent_id: { value: 'f1c9cdc5-S0' }, command: { value: 'ls', arguments: ['-l', '/tmp'] } }],
        // The docs put a framework_id beside the status, which Call.Update does not have: ignored.
        unacknowledged_updates: [{ framework_id: executor.framework_id, status: { source: 'SOURCE_EXECUTOR', task_id: taskId, state: 'TASK_RUNNING', uuid } }],
      },
    };
    const decoded = decodeExecutorCall(json(body), 'json');
    expect(decoded.ok && decoded.ignored).to.deep.equal(['call.subscribe.unacknowledged_updates[0].framework_id']);
    expect(ok(decoded).subscribe).to.deep.equal({
      unacknowledged_tasks: [{ name: 'dummy-task', task_id: taskId, agent_id: { value: 'f1c9cdc5-S0' }, command: { value: 'ls', arguments: ['-l', '/tmp'] }, resources: [] }],
      unacknowledged_updates: [{ status: { source: 'SOURCE_EXECUTOR', task_id: taskId, state: 'TASK_RUNNING', uuid } }],
    });
  });

  it('decodes UPDATE and MESSAGE', () => {
    const update = ok(decodeExecutorCall(json({ ...executor, type: 'UPDATE', update: { status: { executor_id: executor.executor_id, source: 'SOURCE_EXECUTOR', state: 'TASK_RUNNING', task_id: taskId, uuid } } }), 'json'));
    expect(update.update!.status).to.deep.equal({ executor_id: executor.executor_id, source: 'SOURCE_EXECUTOR', state: 'TASK_RUNNING', task_id: taskId, uuid });
    const message = ok(decodeExecutorCall(json({ ...executor, type: 'MESSAGE', message: { data: 't+Wonz5fRFKMzCnEptlv5A==' } }), 'json'));
    expect(message.message).to.deep.equal({ data: 't+Wonz5fRFKMzCnEptlv5A==' });
  });

  it('decodes a Mesos agent\'s SUBSCRIBED, keeping what Tessera models', () => {
    const event = {
      type: 'SUBSCRIBED',
      subscribed: {
        executor_info: { executor_id: executor.executor_id, command: { value: './exec' }, shutdown_grace_period: { nanoseconds: 5e9 } },
        framework_info: { user: 'foo', name: 'fw', role: '*', failover_timeout: 0, checkpoint: false, capabilities: [{ type: 'MULTI_ROLE' }] },
        agent_info: { hostname: 'agent-1', port: 5051, id: { value: 'S0' }, domain: { fault_domain: { region: { name: 'r' }, zone: { name: 'z' } } } },
        container_id: { value: 'c1' },
      },
    };
    const decoded = decodeExecutorEvent(json(event), 'json');
    expect(ok(decoded).subscribed).to.deep.equal({
      executor_info: { executor_id: executor.executor_id, command: { value: './exec' } },
      framework_info: { user: 'foo', name: 'fw', roles: ['*'], failover_timeout: 0, checkpoint: false, capabilities: [{ type: 'MULTI_ROLE' }] },
      agent_info: { hostname: 'agent-1', port: 5051, id: { value: 'S0' }, resources: [] },
      container_id: { value: 'c1' },
    });
    expect(decoded.ok && decoded.ignored).to.deep.equal(['event.subscribed.executor_info.shutdown_grace_period', 'event.subscribed.agent_info.domain']);
  });
});

describe('mesos wire: bad JSON', () => {
  const refused = (decoded: { ok: boolean; error?: string }): string => {
    expect(decoded.ok).to.equal(false);
    return decoded.error!;
  };

  it('refuses a body that is not JSON, not UTF-8 or not an object', () => {
    expect(refused(decodeSchedulerCall(new TextEncoder().encode('{"type":'), 'json'))).to.match(/^body is not JSON/);
    expect(refused(decodeSchedulerCall(new Uint8Array([0x7b, 0xff, 0x7d]), 'json'))).to.match(/^body is not JSON/);
    expect(refused(decodeSchedulerCall(json([1, 2]), 'json'))).to.equal('body is not a JSON object');
  });

  it('refuses an unknown enum value, naming the field and the values allowed', () => {
    expect(refused(decodeSchedulerCall(json({ type: 'FROB' }), 'json'))).to.equal('call.type: "FROB" is not a value of mesos.v1.scheduler.Call.Type');
    const badState = { type: 'UPDATE', executor_id: { value: 'e' }, framework_id: { value: 'f' }, update: { status: { task_id: { value: 't' }, state: 'TASK_SLEEPING' } } };
    expect(refused(decodeExecutorCall(json(badState), 'json'))).to.equal('call.update.status.state: "TASK_SLEEPING" is not a value of mesos.v1.TaskState');
  });

  it('refuses a call missing a required field, naming it', () => {
    const error = refused(decodeSchedulerCall(json({ type: 'ACKNOWLEDGE', framework_id: { value: 'f' }, acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' } } }), 'json'));
    expect(error).to.equal("call.acknowledge: missing required field 'uuid'");
    expect(refused(decodeExecutorCall(json({ type: 'HEARTBEAT', framework_id: { value: 'f' } }), 'json'))).to.equal("call: missing required field 'executor_id'");
    // Bounds the proto cannot express are the schema's to check.
    expect(refused(decodeSchedulerCall(json({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: '' } } }), 'json'))).to.equal('invalid scheduler.Call: body/subscribe/framework_info/name must NOT have fewer than 1 characters');
  });

  it('refuses a field of the wrong JSON type, naming it', () => {
    expect(refused(decodeSchedulerCall(json({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 7 } } }), 'json'))).to.equal('call.subscribe.framework_info.name: expected a string, got a number 7');
    expect(refused(decodeSchedulerCall(json({ type: 'REVIVE', framework_id: { value: 'f' }, revive: { roles: 'web' } }), 'json'))).to.equal('call.revive.roles: expected a list, got a string "web"');
    expect(refused(decodeSchedulerCall(json({ type: 3, framework_id: { value: 'f' } }), 'json'))).to.equal('call.type: expected the name of a mesos.v1.scheduler.Call.Type value, got a number 3');
  });

  it('refuses bytes that are not base64, as Mesos does', () => {
    const body = { type: 'MESSAGE', framework_id: { value: 'f' }, message: { agent_id: { value: 'a' }, executor_id: { value: 'e' }, data: 'not base64!' } };
    expect(refused(decodeSchedulerCall(json(body), 'json'))).to.equal('call.message.data: is not base64');
  });

  it('refuses a call type Mesos defines but Tessera does not serve', () => {
    expect(refused(decodeSchedulerCall(json({ type: 'REQUEST', framework_id: { value: 'f' }, request: { requests: [] } }), 'json'))).to.match(/^call\.type: REQUEST is not supported by Tessera \(only SUBSCRIBE, TEARDOWN, /);
  });

  it('ignores fields Mesos does not define, and lists them', () => {
    const decoded = decodeSchedulerCall(json({ type: 'TEARDOWN', framework_id: { value: 'f', extra: 1 }, frobnicate: true }), 'json');
    expect(decoded).to.deep.equal({ ok: true, value: { type: 'TEARDOWN', framework_id: { value: 'f' } }, ignored: ['call.framework_id.extra', 'call.frobnicate'] });
  });
});
