import os from 'node:os';
import { SchedulerDriver } from '@tessera/scheduler-driver';
import type { Logger } from '@tessera/process';
import { connectKv, findLeaseDetector } from '@tessera/leader';
import { startRuntime, type Network } from '../services.js';

const DEFAULT_MASTER_PID = 'master@master';
import { ExecuteFramework, type ExecuteSpec, type TaskFailure } from './execute-framework.js';

export interface RunExecuteOptions extends ExecuteSpec {
  network: Network;
  /** The master's pid; default: the leader the cluster's election names, else `master@master`. */
  master?: string;
  role: string;
  /** Progress lines go here (stdout by default). */
  print?: (line: string) => void;
  logger?: Logger;
}

export interface ExecuteResult {
  /** The master's reason when it refused the framework. */
  refused?: string;
  finished: number;
  failures: TaskFailure[];
  frameworkId: string;
  elapsedMs: number;
  /** From the first ACCEPT sent to the last task's end (performance.now() clock). */
  launchToEndMs: number;
}

/**
 * Runs `tessera execute`: subscribes a framework, launches the copies as offers come, prints
 * progress, and resolves once every copy has ended; the framework is torn down at the end.
 */
export async function runExecute(options: RunExecuteOptions): Promise<ExecuteResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const framework = new ExecuteFramework(options);
  const started = performance.now();
  let finish!: () => void;
  const allEnded = new Promise<void>((resolve) => { finish = resolve; });
  let suppressed = false;
  let firstLaunchAt: number | undefined;
  let lastEndAt = 0;
  let refused: string | undefined;
  // On NATS the driver owns its connection; in memory it needs a node of the local network.
  const connection = 'nats' in options.network
    ? { nats: { servers: options.network.nats, cluster: options.network.cluster } }
    : { runtime: await startRuntime(options.network, `execute-${process.pid}`, options.logger ?? silent) };
  const kv = options.master === undefined && 'nats' in options.network ? await connectKv(options.network.nats) : undefined;
  const detector = kv === undefined || !('nats' in options.network) ? undefined : await findLeaseDetector(kv, options.network.cluster, options.logger);
  const driver: SchedulerDriver = new SchedulerDriver({
    framework: { user: os.userInfo().username, name: `tessera-execute ${options.name}`, roles: [options.role], failover_timeout: 0 },
    ...connection,
    ...(detector === undefined ? { master: options.master ?? DEFAULT_MASTER_PID } : { detector }),
    tasksToReconcile: () => framework.liveTasks(),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    scheduler: {
      // The driver reconciles the live tasks after every subscription.
      subscribed: (id, { reconnected }) => print(`${reconnected ? 'resubscribed' : 'subscribed'} as framework ${id}`),
      offers: (offers) => {
        const decision = framework.decide(offers);
        for (const { offer, tasks } of decision.launches) {
          firstLaunchAt ??= performance.now();
          driver.launch([offer.id.value], tasks, { refuse_seconds: 1 });
          print(`launching ${tasks.length} task(s) on ${offer.hostname} (${framework.unlaunched} left to launch)`);
        }
        if (decision.declines.length > 0) driver.decline(decision.declines.map((o) => o.id.value), { refuse_seconds: 30 });
        if (framework.unlaunched === 0 && !suppressed) {
          suppressed = true;
          driver.suppress();
        }
      },
      update: (status) => {
        if (!framework.update(status)) return;
        const detail = status.state === 'TASK_FINISHED' ? '' : ` (${[status.reason, status.message].filter(Boolean).join(': ')})`;
        print(`task ${status.task_id.value} ${status.state}${detail} [${framework.ended}/${options.instances}]`);
        if (framework.done) {
          lastEndAt = performance.now();
          finish();
        }
      },
      error: (message) => {
        refused = message;
        finish();
      },
    },
  });
  const frameworkId = await driver.start();
  await allEnded;
  if (refused === undefined) await driver.stop({ failover: false });
  if ('runtime' in connection) await connection.runtime?.stop();
  detector?.stop();
  await kv?.drain();
  return { ...(refused === undefined ? {} : { refused }), finished: framework.finished, failures: framework.failures, frameworkId, elapsedMs: performance.now() - started,
    launchToEndMs: firstLaunchAt === undefined ? 0 : lastEndAt - firstLaunchAt };
}

const silent: Logger = { log() {} };
