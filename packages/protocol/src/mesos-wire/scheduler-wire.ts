import type { Messages } from '../messages/catalog.js';
import type { WireFormat } from './content-types.js';
import { schedulerCallFromMesos, schedulerCallToMesos, schedulerEventFromMesos, schedulerEventToMesos } from './mesos-mapping.js';
import { decodeWire, encodeWire, type Decoded, type WireMessage } from './wire-codec.js';

type Call = Messages['scheduler.Call'];
type Event = Messages['scheduler.Event'];

const CALL: WireMessage<'scheduler.Call'> = {
  internal: 'scheduler.Call',
  proto: 'mesos.v1.scheduler.Call',
  label: 'call',
  fromMesos: schedulerCallFromMesos,
  toMesos: schedulerCallToMesos,
};

const EVENT: WireMessage<'scheduler.Event'> = {
  internal: 'scheduler.Event',
  proto: 'mesos.v1.scheduler.Event',
  label: 'event',
  fromMesos: schedulerEventFromMesos,
  toMesos: schedulerEventToMesos,
};

/** A body POSTed to /api/v1/scheduler → the internal `scheduler.Call`, validated. */
export function decodeSchedulerCall(body: Uint8Array, format: WireFormat): Decoded<Call> {
  return decodeWire(CALL, body, format);
}

/** An internal `scheduler.Call` → the body a Mesos (or Tessera) master accepts. */
export function encodeSchedulerCall(call: Call, format: WireFormat): Uint8Array {
  return encodeWire(CALL, call, format);
}

/** One record of a scheduler's event stream → the internal `scheduler.Event`, validated. */
export function decodeSchedulerEvent(body: Uint8Array, format: WireFormat): Decoded<Event> {
  return decodeWire(EVENT, body, format);
}

/**
 * An internal `scheduler.Event` → one record of the event stream.
 * @throws on an OFFERS event with both offers and inverse offers, which Mesos cannot express.
 */
export function encodeSchedulerEvent(event: Event, format: WireFormat): Uint8Array {
  return encodeWire(EVENT, event, format);
}
