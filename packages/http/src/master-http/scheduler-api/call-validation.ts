import type { Messages } from '@tessera/protocol';

type Call = Messages['scheduler.Call'];

/** Calls that carry no payload of their own. */
const WITHOUT_PAYLOAD = new Set<Call['type']>(['TEARDOWN', 'REVIVE', 'SUPPRESS']);

/**
 * Why a well-formed call is still not valid, as Mesos's scheduler call validation words it (the
 * master answers 400 "Failed to validate scheduler::Call: <why>"), or undefined. Nothing here
 * needs the master's state; what does is checked by `callerRefusal`.
 */
export function callProblem(call: Call): string | undefined {
  const payloadField = call.type.toLowerCase();
  if (!WITHOUT_PAYLOAD.has(call.type) && (call as Record<string, unknown>)[payloadField] === undefined) return `Expecting '${payloadField}' to be present`;
  if (call.type === 'SUBSCRIBE') {
    // A re-subscription names its framework twice; both must agree (or both be absent).
    if (call.framework_id?.value !== call.subscribe!.framework_info.id?.value) return "'framework_id' differs from 'subscribe.framework_info.id'";
    return undefined;
  }
  if (call.framework_id === undefined) return "Expecting 'framework_id' to be present";
  if (call.type === 'UPDATE_FRAMEWORK' && call.update_framework!.framework_info.id?.value !== call.framework_id.value) {
    return "'framework_id' differs from 'update_framework.framework_info.id'";
  }
  return undefined;
}
