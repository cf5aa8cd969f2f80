#!/usr/bin/env node
/**
 * The scenarios' framework, as a child process: keeps `--sleepers` `sleep 1000` tasks running and
 * launches short tasks (`true`, `sleep 0.2`) with every offer, following the leading master
 * through the lease detector. Every launch, status update and subscription is appended to
 * `--history` as one JSON line, synchronously, so a SIGKILL loses at most a torn last line.
 *
 * Restarted with the same `--id-file` it fails over to its framework id and asks reconciliation
 * about the tasks its history says are not over. SIGUSR2 stops the short tasks (quiescing).
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SystemClock, Random, stderrLogger } from '@tessera/process';
import { Resources, type Offer, type TaskInfo, type TaskStatus } from '@tessera/protocol';
import { connectKv, openLeaseDetector } from '@tessera/leader';
import { SchedulerDriver } from '@tessera/scheduler-driver';
import { childArgs } from './args.js';
import { readHistory, type HistoryRecord, type LaunchRecord, type TaskResources } from './history.js';

const FINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_LOST', 'TASK_UNKNOWN']);
const TASK: TaskResources = { cpus: 0.1, mem: 16 };
const SHORT_PER_OFFER = 2;

const args = childArgs(process.argv.slice(2));
const nats = args.need('nats');
const cluster = args.need('cluster');
const historyFile = args.need('history');
const idFile = args.need('id-file');
const sleepers = Number(args.get('sleepers') ?? '50');
const failoverTimeoutS = Number(args.get('failover-timeout') ?? '600');
const logger = stderrLogger((args.get('log-level') ?? 'info') as 'info');
const clock = new SystemClock();

const write = (record: HistoryRecord): void => appendFileSync(historyFile, `${JSON.stringify(record)}\n`);

/** Tasks not over, by id, with what they were launched as (from the history of earlier lives too). */
const open = new Map<string, LaunchRecord>();
const launches = new Map<string, LaunchRecord>();
if (existsSync(historyFile)) {
  for (const record of readHistory(historyFile)) {
    if (record.kind === 'launch') { open.set(record.task_id, record); launches.set(record.task_id, record); }
    if (record.kind === 'update' && FINAL.has(record.state)) open.delete(record.task_id);
  }
}
let quiescing = false;
process.on('SIGUSR2', () => { quiescing = true; });
// Ids unique across restarts: each life has its own token.
const life = Random.fromEntropy().token(6);
let counter = 0;

const connection = await connectKv(nats);
const detector = await openLeaseDetector(connection, cluster, { clock, logger });
const knownId = existsSync(idFile) ? readFileSync(idFile, 'utf8').trim() : undefined;

const driver: SchedulerDriver = new SchedulerDriver({
  framework: {
    user: 'ha', name: 'ha-scenario', failover_timeout: failoverTimeoutS,
    capabilities: [{ type: 'PARTITION_AWARE' }],
    ...(knownId === undefined ? {} : { id: { value: knownId } }),
  },
  nats: { servers: nats, cluster },
  detector,
  logger,
  tasksToReconcile: () => [...open.values()].map((l) => ({ task_id: l.task_id, agent_id: l.agent_id })),
  scheduler: {
    subscribed: (frameworkId, info) => {
      writeFileSync(idFile, frameworkId);
      write({ kind: 'subscribed', at: clock.now(), framework_id: frameworkId, reconnected: info.reconnected });
    },
    update: (status: TaskStatus) => {
      const id = status.task_id.value;
      write({ kind: 'update', at: clock.now(), task_id: id, state: status.state, ...(status.agent_id ? { agent_id: status.agent_id.value } : {}), ...(status.reason ? { reason: status.reason } : {}), ...(status.source ? { source: status.source } : {}), ...(status.timestamp === undefined ? {} : { timestamp: status.timestamp }) });
      if (FINAL.has(status.state)) open.delete(id);
    },
    offers: (offers: Offer[]) => { for (const offer of offers) useOffer(offer); },
  },
});

/** Fill the sleepers up, add a few short tasks, within what the offer holds. */
function useOffer(offer: Offer): void {
  let left = Resources.of(offer.resources);
  // Offered resources carry their allocation role; what a task needs must carry it too to compare.
  const need = Resources.parse(`cpus:${TASK.cpus};mem:${TASK.mem}`).withAllocation(offer.allocation_info?.role ?? '*');
  const tasks: TaskInfo[] = [];
  const openSleepers = (): number => [...open.values()].filter((l) => l.role === 'sleep').length;
  const add = (role: 'sleep' | 'short', command: string): void => {
    const id = `ha-${life}-${role}-${(counter += 1)}`;
    const record: LaunchRecord = { kind: 'launch', at: clock.now(), task_id: id, agent_id: offer.agent_id.value, resources: TASK, role };
    write(record);
    open.set(id, record);
    launches.set(id, record);
    left = left.subtract(need);
    tasks.push({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: need.toJSON(), command: { value: command, shell: true } } as TaskInfo);
  };
  while (openSleepers() < sleepers && left.contains(need)) add('sleep', '/bin/sleep 1000');
  for (let i = 0; !quiescing && i < SHORT_PER_OFFER && left.contains(need); i += 1) add('short', i % 2 === 0 ? '/bin/true' : '/bin/sleep 0.2');
  if (tasks.length === 0) driver.decline([offer.id], { refuse_seconds: 0.2 });
  else driver.launch([offer.id], tasks, { refuse_seconds: 0.2 });
}

const id = await driver.start();
logger.log('info', 'ha framework subscribed', { framework_id: id, open: open.size });
process.on('SIGTERM', () => { void driver.stop({ failover: true }).finally(() => process.exit(0)); });
