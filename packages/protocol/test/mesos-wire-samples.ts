import type { Messages } from '../src/messages/catalog.js';

// One internal message of every scheduler and executor Call and Event type, each with most of the
// fields its schema models, for the wire round-trip tests of both formats.

type SchedulerCall = Messages['scheduler.Call'];
type SchedulerEvent = Messages['scheduler.Event'];
type ExecutorCall = Messages['executor.Call'];
type ExecutorEvent = Messages['executor.Event'];

const fw = { value: '5b2c4a9e-0000-4000-8000-000000000001-0000' };
const agent = { value: '5b2c4a9e-0000-4000-8000-000000000001-S0' };
const offer = { value: '5b2c4a9e-0000-4000-8000-000000000001-O7' };
const executorId = { value: 'exec-1' };
const taskId = { value: 'web.1' };
/** 16 bytes as base64: the form of every internal status uuid (ids.ts updateUuid). */
export const UUID = 'q83vEjRWeJCrze8SNFZ4kA==';

const resources = [
  { name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.5 }, allocation_info: { role: 'web' } },
  { name: 'mem', type: 'SCALAR' as const, scalar: { value: 128 }, allocation_info: { role: 'web' } },
  { name: 'ports', type: 'RANGES' as const, ranges: { range: [{ begin: 31000, end: 31009 }] }, allocation_info: { role: 'web' } },
  { name: 'zones', type: 'SET' as const, set: { item: ['a', 'b'] }, reservations: [{ type: 'DYNAMIC' as const, role: 'web', principal: 'ops', labels: { labels: [{ key: 'k', value: 'v' }] } }] },
];

export const frameworkInfo = {
  user: 'root',
  name: 'web scheduler',
  id: fw,
  failover_timeout: 3600,
  checkpoint: true,
  roles: ['web', 'batch'],
  hostname: 'sched.local',
  principal: 'web',
  capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }],
  labels: { labels: [{ key: 'team', value: 'infra' }, { key: 'bare' }] },
};

const executorInfo = {
  executor_id: executorId,
  type: 'CUSTOM' as const,
  framework_id: fw,
  command: { value: './executor', shell: true, environment: { variables: [{ name: 'A', value: '1' }] }, user: 'nobody' },
  container: { type: 'MESOS' as const },
  resources: resources.slice(0, 2),
  name: 'my executor',
};

export const taskInfo = {
  name: 'web',
  task_id: taskId,
  agent_id: agent,
  resources: resources.slice(0, 3),
  command: { value: 'sleep', shell: false, arguments: ['sleep', '10'] },
  container: { type: 'MESOS' as const, rlimit_info: { rlimits: [{ type: 'RLMT_NOFILE' as const, soft: 256, hard: 512 }, { type: 'RLMT_CORE' as const }] } },
  data: 'aGVsbG8=',
  kill_policy: { grace_period: { nanoseconds: 3_000_000_000 } },
  labels: { labels: [{ key: 'app', value: 'web' }] },
};

export const taskStatus = {
  task_id: taskId,
  state: 'TASK_RUNNING' as const,
  message: 'running',
  source: 'SOURCE_EXECUTOR' as const,
  reason: 'REASON_COMMAND_EXECUTOR_FAILED',
  data: 'AAEC',
  agent_id: agent,
  executor_id: executorId,
  timestamp: 1_700_000_000.25,
  uuid: UUID,
  healthy: true,
};

export const schedulerCalls: SchedulerCall[] = [
  { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo, suppressed_roles: ['batch'] } },
  { type: 'TEARDOWN', framework_id: fw },
  {
    type: 'ACCEPT',
    framework_id: fw,
    accept: {
      offer_ids: [offer],
      operations: [
        { type: 'LAUNCH', launch: { task_infos: [taskInfo] } },
        { type: 'LAUNCH_GROUP', id: { value: 'op-1' }, launch_group: { executor: executorInfo, task_group: { tasks: [{ name: 'g1', task_id: { value: 'g1' }, agent_id: agent, resources: resources.slice(0, 2), command: { value: 'echo hi' } }] } } },
        { type: 'RESERVE', reserve: { resources: resources.slice(3) } },
        { type: 'UNRESERVE', unreserve: { resources: resources.slice(3) } },
      ],
      filters: { refuse_seconds: 5 },
    },
  },
  { type: 'DECLINE', framework_id: fw, decline: { offer_ids: [offer, { value: 'o2' }], filters: { refuse_seconds: 0.5 } } },
  { type: 'REVIVE', framework_id: fw, revive: { roles: ['web'] } },
  { type: 'KILL', framework_id: fw, kill: { task_id: taskId, agent_id: agent, kill_policy: { grace_period: { nanoseconds: 0 } } } },
  { type: 'SHUTDOWN', framework_id: fw, shutdown: { executor_id: executorId, agent_id: agent } },
  { type: 'ACKNOWLEDGE', framework_id: fw, acknowledge: { agent_id: agent, task_id: taskId, uuid: UUID } },
  { type: 'RECONCILE', framework_id: fw, reconcile: { tasks: [{ task_id: taskId, agent_id: agent }, { task_id: { value: 't2' } }] } },
  { type: 'MESSAGE', framework_id: fw, message: { agent_id: agent, executor_id: executorId, data: 'aGk=' } },
  { type: 'SUPPRESS', framework_id: fw, suppress: { roles: ['batch'] } },
  { type: 'UPDATE_FRAMEWORK', framework_id: fw, update_framework: { framework_info: { ...frameworkInfo, name: 'renamed' } } },
  { type: 'ACCEPT_INVERSE_OFFERS', framework_id: fw, accept_inverse_offers: { inverse_offer_ids: [{ value: 'io1' }], filters: { refuse_seconds: 1 } } },
  { type: 'DECLINE_INVERSE_OFFERS', framework_id: fw, decline_inverse_offers: { inverse_offer_ids: [{ value: 'io2' }] } },
];

const unavailability = { start: { nanoseconds: 1_700_000_000_000_000_000 }, duration: { nanoseconds: 3_600_000_000_000 } };

export const schedulerEvents: SchedulerEvent[] = [
  { type: 'SUBSCRIBED', subscribed: { framework_id: fw, heartbeat_interval_seconds: 15, master_info: { id: 'm1', pid: 'master@10.0.0.1:5050', hostname: 'master.local', ip: 16_777_343, port: 5050 } } },
  {
    type: 'OFFERS',
    offers: {
      offers: [{
        id: offer, framework_id: fw, agent_id: agent, hostname: 'agent-1', resources,
        attributes: [
          { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
          { name: 'weight', type: 'SCALAR', scalar: { value: 2 } },
          { name: 'ids', type: 'RANGES', ranges: { range: [{ begin: 1, end: 3 }] } },
          { name: 'zone', type: 'SET', set: { item: ['z'] } },
        ],
        executor_ids: [executorId],
        allocation_info: { role: 'web' },
        unavailability,
      }],
    },
  },
  { type: 'OFFERS', offers: { offers: [], inverse_offers: [{ id: { value: 'io1' }, framework_id: fw, agent_id: agent, unavailability, resources: resources.slice(0, 1) }] } },
  { type: 'RESCIND', rescind: { offer_id: offer } },
  { type: 'UPDATE', update: { status: taskStatus } },
  { type: 'MESSAGE', message: { agent_id: agent, executor_id: executorId, data: 'aGk=' } },
  { type: 'FAILURE', failure: { agent_id: agent, executor_id: executorId, status: 256 } },
  { type: 'ERROR', error: { message: 'framework has been removed' } },
  { type: 'HEARTBEAT' },
];

export const executorCalls: ExecutorCall[] = [
  { type: 'SUBSCRIBE', executor_id: executorId, framework_id: fw, subscribe: { unacknowledged_tasks: [taskInfo], unacknowledged_updates: [{ status: taskStatus }] } },
  { type: 'UPDATE', executor_id: executorId, framework_id: fw, update: { status: taskStatus } },
  { type: 'MESSAGE', executor_id: executorId, framework_id: fw, message: { data: 'aGk=' } },
  { type: 'HEARTBEAT', executor_id: executorId, framework_id: fw },
];

export const executorEvents: ExecutorEvent[] = [
  {
    type: 'SUBSCRIBED',
    subscribed: {
      executor_info: executorInfo,
      framework_info: frameworkInfo,
      agent_info: { hostname: 'agent-1', port: 5051, resources, attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }], id: agent },
      container_id: { value: 'c-1' },
    },
  },
  { type: 'LAUNCH', launch: { task: taskInfo } },
  { type: 'LAUNCH_GROUP', launch_group: { task_group: { tasks: [taskInfo, { ...taskInfo, task_id: { value: 'web.2' } }] } } },
  { type: 'KILL', kill: { task_id: taskId, kill_policy: { grace_period: { nanoseconds: 1_000_000_000 } } } },
  { type: 'ACKNOWLEDGED', acknowledged: { task_id: taskId, uuid: UUID } },
  { type: 'MESSAGE', message: { data: 'aGk=' } },
  { type: 'ERROR', error: { message: 'bad call' } },
  { type: 'SHUTDOWN' },
  { type: 'HEARTBEAT' },
];
