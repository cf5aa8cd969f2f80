/** Mesos v1 HTTP wire formats (JSON and protobuf) for the scheduler and executor APIs. */
export { WIRE_CONTENT_TYPE, acceptedWireFormat, wireFormatOf, type WireFormat } from './content-types.js';
export type { Decoded } from './wire-codec.js';
export { decodeSchedulerCall, decodeSchedulerEvent, encodeSchedulerCall, encodeSchedulerEvent } from './scheduler-wire.js';
export { decodeExecutorCall, decodeExecutorEvent, encodeExecutorCall, encodeExecutorEvent } from './executor-wire.js';
