import { frameworkInfoProblem, type MasterState } from '@tessera/master';
import type { Messages } from '@tessera/protocol';
import type { Refusal } from './media.js';

type Call = Messages['scheduler.Call'];

/** The pid a call is to be sent from (the framework's stream), or why it is refused. */
export type CallerVerdict = { ok: true; pid: string } | ({ ok: false } & Refusal);

/**
 * Whether a call (any but SUBSCRIBE) comes from the framework's current HTTP subscription, in the
 * order and words of Mesos's master: an unknown framework is a 400, one that is not subscribed,
 * or subscribed over NATS, a 403; then the `Mesos-Stream-Id` must be there and name the
 * framework's current stream (400). Runs in the master's mailbox, on its state.
 *
 * @param streamIdAt the stream id of a framework's scheduler pid, when that pid is an HTTP stream
 */
export function checkCaller(state: MasterState, call: Call, streamId: string | undefined, streamIdAt: (pid: string) => string | undefined): CallerVerdict {
  const id = call.framework_id!.value;
  const framework = state.frameworks.get(id);
  if (framework === undefined) return refusal(400, 'Framework cannot be found');
  if (framework.pid === undefined || framework.lifecycle.value !== 'active') return refusal(403, 'Framework is not subscribed');
  const current = streamIdAt(framework.pid);
  if (current === undefined) return refusal(403, 'Framework is not connected via HTTP');
  if (streamId === undefined) return refusal(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  if (streamId !== current) {
    return refusal(400, `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${id}`);
  }
  if (call.type === 'UPDATE_FRAMEWORK') {
    // The master's own checks, made here so that a refusal is this call's 400, as in Mesos, not an ERROR on the stream.
    const update = call.update_framework!;
    const problem = update.framework_info.principal !== framework.info.principal
      ? 'UPDATE_FRAMEWORK cannot change the principal'
      : frameworkInfoProblem(update.framework_info, update.suppressed_roles ?? []);
    if (problem !== undefined) return refusal(400, `Failed to validate scheduler::Call: ${problem}`);
  }
  return { ok: true, pid: framework.pid };
}

function refusal(status: 400 | 403, message: string): CallerVerdict {
  return { ok: false, status, message };
}
