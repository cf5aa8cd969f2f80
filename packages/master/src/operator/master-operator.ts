import type { OperatorCall, OperatorEvent } from '@tessera/protocol';
import type { StateJsonParts } from './state-json.js';

/** The read-only views of the master's HTTP surface (Mesos v0 endpoint names). */
export type MasterView = 'state' | 'state-summary' | 'frameworks' | 'agents' | 'tasks' | 'roles' | 'flags' | 'version'
  | 'maintenance/schedule' | 'maintenance/status';

/** What an operator call or view answers: a JSON body, or an error with its HTTP status. */
export type OperatorAnswer = { status: 200; body: unknown } | { status: 202 } | { status: 400 | 404 | 409 | 503; error: string };

/**
 * The master's operator interface, for the HTTP layer. Every method runs INSIDE the master's
 * mailbox (`runtime.dispatch(master.pid, () => master.operator.x(...))`); none holds it on I/O:
 * writes the registry must store answer through their callback once stored.
 */
export interface MasterOperator {
  /** A read-only JSON view, Mesos v0 field names. `query` is the URL's query (e.g. /tasks?limit&offset&order&framework_id&task_id). */
  view(name: MasterView, query: Record<string, string>): OperatorAnswer;
  /** `/state` as JSON text in parts (see StateJsonParts), each task's JSON kept until it changes. */
  stateJson(): StateJsonParts;
  /** A v1 operator call, ALREADY validated against `OperatorCallSchema` by the caller; answers once. */
  call(call: OperatorCall, respond: (answer: OperatorAnswer) => void): void;
  /** The SUBSCRIBE feed: `listener` gets SUBSCRIBED (with get_state) synchronously, then each change. Returns unsubscribe. */
  subscribe(listener: (event: OperatorEvent) => void): () => void;
  /** `/metrics/snapshot`: Mesos metric names to numbers (master/*, allocator/*, registrar/*); answers later. */
  metrics(respond: (snapshot: Record<string, number>) => void): void;
}

export const ok = (body: unknown): OperatorAnswer => ({ status: 200, body });
export const accepted: OperatorAnswer = { status: 202 };
export const badRequest = (error: string): OperatorAnswer => ({ status: 400, error });
export const notFound = (error: string): OperatorAnswer => ({ status: 404, error });
