import type { Messages } from '@tessera/protocol';

/**
 * What Mesos's agent refuses in an executor Call beyond its schema (validation.cpp,
 * executor::call::validate), with its reasons; undefined when the call is acceptable. Each of
 * these is a 400: the payload of the call's type present, and an UPDATE the executor's own
 * (a uuid, SOURCE_EXECUTOR, its executor id, never TASK_STAGING).
 */
export function executorCallProblem(call: Messages['executor.Call']): string | undefined {
  switch (call.type) {
    case 'SUBSCRIBE':
      return call.subscribe === undefined ? "Expecting 'subscribe' to be present" : undefined;
    case 'MESSAGE':
      return call.message === undefined ? "Expecting 'message' to be present" : undefined;
    case 'HEARTBEAT':
      return undefined;
    case 'UPDATE': {
      const status = call.update?.status;
      if (status === undefined) return "Expecting 'update' to be present";
      if (status.uuid === undefined || status.uuid === '') return "Expecting 'uuid' to be present";
      const executorId = call.executor_id.value;
      if (status.executor_id !== undefined && status.executor_id.value !== executorId) {
        return `ExecutorID in Call: ${executorId} does not match ExecutorID in TaskStatus: ${status.executor_id.value}`;
      }
      const from = `executor ${executorId} of framework ${call.framework_id.value}`;
      if (status.source !== 'SOURCE_EXECUTOR') return `Received Call from ${from} with invalid source, expecting 'SOURCE_EXECUTOR'`;
      if (status.state === 'TASK_STAGING') return `Received TASK_STAGING from ${from} which is not allowed`;
      return undefined;
    }
  }
}
