import { reconcileCall } from './calls.js';
import type { Call, ReconcileTask } from './types.js';

// What the driver asks a master after every SUBSCRIBED, as Mesos's reconciliation guide
// (docs/reconciliation.md) recommends after each (re)registration. Pure, so the shape of the
// calls is tested without a runtime.

/**
 * The RECONCILE calls sent after a subscription: first an explicit one naming the framework's
 * own tasks (the master answers tasks it does not know with TASK_LOST, or TASK_UNKNOWN for a
 * partition-aware framework), then an implicit one (an empty list: the latest state of every
 * task the master knows for the framework). No explicit call when the framework names no task:
 * an empty list would be a second implicit one.
 * @throws InvalidCallError when a task's id is not an id.
 */
export function reconcileCallsAfterSubscribe(frameworkId: string, tasks: readonly ReconcileTask[]): Call[] {
  const calls = tasks.length === 0 ? [] : [reconcileCall(frameworkId, tasks)];
  calls.push(reconcileCall(frameworkId, []));
  return calls;
}
