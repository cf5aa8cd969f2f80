/**
 * @tessera/scheduler-driver: the library framework schedulers use to talk to a Tessera master
 * (Mesos v1 scheduler Call/Event), with re-subscription, heartbeat watching and implicit
 * acknowledgements built in.
 */
export { SchedulerDriver } from './scheduler-driver.js';
export { commandTask, type CommandTaskOptions } from './command-task.js';
export {
  acceptCall, acknowledgeCall, declineCall, killCall, launchGroupOperation, launchOperation, messageCall, reconcileCall,
  reserveOperation, reviveCall, shutdownCall, subscribeCall, suppressCall, teardownCall, unreserveOperation,
  updateFrameworkCall, validateCall,
} from './calls.js';
export { DriverStoppedError, InvalidCallError, NotSubscribedError, SubscriptionRefusedError } from './errors.js';
export { SUBSCRIBE_BACKOFF_MAX_MS, SUBSCRIBE_BACKOFF_MIN_MS, nextState, subscribeBackoff, type DriverInput } from './lifecycle.js';
export {
  DEFAULT_HEARTBEAT_SECONDS, DEFAULT_MASTER, MISSED_HEARTBEATS,
  type Call, type CallType, type DriverState, type Event, type EventType, type FailureInfo, type Filters, type IdLike,
  type NatsOptions, type Operation, type ReconcileTask, type Scheduler, type SchedulerDriverOptions, type StopOptions,
} from './types.js';
// The protocol types every framework handles, so that a framework needs one import.
export {
  Resources, TERMINAL_TASK_STATES,
  type CommandInfo, type ExecutorInfo, type FrameworkInfo, type Offer, type TaskInfo, type TaskState, type TaskStatus,
} from '@tessera/protocol';
