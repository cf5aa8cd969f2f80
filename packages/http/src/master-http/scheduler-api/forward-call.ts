import type { FastifyReply } from 'fastify';
import type { Master } from '@tessera/master';
import type { Messages } from '@tessera/protocol';
import type { Runtime } from '@tessera/process';
import { checkCaller, type CallerVerdict } from './caller-check.js';
import { refuse } from './media.js';
import type { StreamRegistry } from './stream-registry.js';

export interface ForwardCallOptions {
  runtime: Runtime;
  master: Master;
  registry: StreamRegistry;
  call: Messages['scheduler.Call'];
  /** The request's `Mesos-Stream-Id`. */
  streamId: string | undefined;
}

/**
 * Answers a call other than SUBSCRIBE: checked against the master's state and sent from the
 * framework's stream in one turn of the master's mailbox (nothing can come between), then `202`
 * with no body. UPDATE_FRAMEWORK answers `200` once the master has applied it; TEARDOWN ends the
 * framework's stream once the master has removed it, as Mesos closes a removed framework's
 * connection.
 */
export async function forwardCall(reply: FastifyReply, options: ForwardCallOptions): Promise<FastifyReply> {
  const { runtime, master, registry, call } = options;
  let verdict: CallerVerdict;
  try {
    verdict = await runtime.dispatch(master.pid, () => {
      const checked = checkCaller(master.state, call, options.streamId, (pid) => registry.at(pid)?.streamId);
      if (!checked.ok) return checked;
      try {
        registry.at(checked.pid)!.forward(call);
      } catch (err) {
        // Larger than a message may be: refused with nothing sent.
        return { ok: false, status: 400, message: (err as Error).message } as const;
      }
      return checked;
    });
  } catch (err) {
    return refuse(reply, { status: 503, message: `Master could not take the call: ${(err as Error).message}` });
  }
  if (!verdict.ok) return refuse(reply, verdict);
  if (call.type !== 'UPDATE_FRAMEWORK' && call.type !== 'TEARDOWN') return reply.code(202).send();
  // The call is in the master's mailbox: this runs once the master has handled it.
  await runtime.dispatch(master.pid, () => undefined).catch(() => undefined);
  if (call.type === 'TEARDOWN') runtime.terminate(verdict.pid);
  return reply.code(call.type === 'TEARDOWN' ? 202 : 200).send();
}
