import type { Messages } from '../messages/catalog.js';
import type { WireFormat } from './content-types.js';
import { executorEventFromMesos } from './mesos-mapping.js';
import { decodeWire, encodeWire, type Decoded, type WireMessage } from './wire-codec.js';

type Call = Messages['executor.Call'];
type Event = Messages['executor.Event'];

const unchanged = <T>(message: T): T => message;

const CALL: WireMessage<'executor.Call'> = { internal: 'executor.Call', proto: 'mesos.v1.executor.Call', label: 'call', fromMesos: unchanged, toMesos: unchanged };
const EVENT: WireMessage<'executor.Event'> = { internal: 'executor.Event', proto: 'mesos.v1.executor.Event', label: 'event', fromMesos: executorEventFromMesos, toMesos: unchanged };

/** A body POSTed to /api/v1/executor → the internal `executor.Call`, validated. */
export function decodeExecutorCall(body: Uint8Array, format: WireFormat): Decoded<Call> {
  return decodeWire(CALL, body, format);
}

/** An internal `executor.Call` → the body an agent accepts (for executors and tests written in TS). */
export function encodeExecutorCall(call: Call, format: WireFormat): Uint8Array {
  return encodeWire(CALL, call, format);
}

/** One record of an executor's event stream → the internal `executor.Event`, validated. */
export function decodeExecutorEvent(body: Uint8Array, format: WireFormat): Decoded<Event> {
  return decodeWire(EVENT, body, format);
}

/** An internal `executor.Event` → one record of the executor's event stream. */
export function encodeExecutorEvent(event: Event, format: WireFormat): Uint8Array {
  return encodeWire(EVENT, event, format);
}
