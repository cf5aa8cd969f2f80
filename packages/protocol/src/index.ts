/** @tessera/protocol: the wire types, their schemas and validators, resource math and ids. */
export { EnvelopeSchema, NAME_PATTERN, PID_PATTERN, type RawEnvelope } from './envelope.js';
export { DecodeError, WIRE_VERSION, decodeEnvelope, decodeEnvelopes, encodeEnvelope } from './codec.js';
export { wireShape, type WireShape } from './wire-shape.js';
export { isMessageType, messageCatalog, type MessageType, type Messages } from './messages/catalog.js';
export { ExitReasonSchema } from './messages/process-messages.js';
export { LeaderRecordSchema, type LeaderRecord } from './messages/leader-messages.js';
export { registrySchemas, type RegistryAgent } from './messages/registry-schemas.js';
export * from './messages/checkpoint-schemas.js';
export {
  AgentInfoSchema,
  AttributeSchema,
  IdSchema,
  OfferSchema,
  type AgentInfo,
  type Attribute,
  type Id,
  type Offer,
} from './messages/mesos-types.js';
export {
  parseBody,
  validateBody,
  validateEnvelope,
  type Envelope,
  type Validation,
} from './validation.js';
export { IdGenerator, generatedId, parseId, updateUuid, uuid, type IdKind, type RandomSource } from './ids.js';
export * from './messages/scheduler-types.js';
export { CallSchema, EventSchema } from './messages/scheduler-messages.js';
export { ContainerLaunchSchema, ExecutorCallSchema, ExecutorEventSchema, type ContainerLaunch } from './messages/executor-messages.js';
export * from './resources/index.js';
export * from './messages/operator-maintenance.js';
export * from './messages/operator-calls.js';
export * from './messages/operator-responses.js';
export * from './messages/operator-events.js';
export { attributeMap, resourceMap, type ResourceMap } from './views/v0-maps.js';
export * from './mesos-wire/index.js';
