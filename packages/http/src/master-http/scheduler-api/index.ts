/** Mesos's v1 scheduler HTTP API on the master: `POST /api/v1/scheduler`. */
export { SCHEDULER_PATH, registerSchedulerApi, type SchedulerApiOptions } from './scheduler-route.js';
export { StreamRegistry } from './stream-registry.js';
export { SchedulerStream } from './scheduler-stream.js';
