import path from 'node:path';
import type { ContainerLaunch, TaskInfo } from '@tessera/protocol';
import type { TaskLauncher } from '../task-launcher.js';
import type { CheckRun } from './check-run.js';
import { commandCheck } from './command-check.js';
import { HealthChecker, type CheckScheduler, type HealthReport } from './health-checker.js';
import { planHealthCheck, type HealthCheckPlan } from './health-plan.js';
import { httpCheck } from './http-check.js';
import { tcpCheck } from './tcp-check.js';

/** What the health checks of an executor's tasks need from it. */
export interface TaskHealthOptions {
  /** Starts COMMAND checks, as it starts tasks. */
  launcher: TaskLauncher;
  /** The sandbox: COMMAND checks run there and append their output to its `stderr`. */
  directory: string;
  scheduler: CheckScheduler;
  /**
   * The tasks' container. COMMAND checks join its cgroups only: they count against the task's
   * share and die with its container, as Mesos's checks run inside the command executor's
   * container. Not its namespaces or limits: a wrapper would give the check a pid namespace and
   * /tmp of its own, not the task's.
   */
  container?: ContainerLaunch;
}

interface Checked {
  plan: HealthCheckPlan;
  checker: HealthChecker | undefined;
  /** The checks asked for the task's kill. */
  killed: boolean;
}

/**
 * The health checks of one executor's tasks, by task id: a task's check is read when it
 * launches (a bad one fails the task before it starts), runs from TASK_RUNNING, stops when the
 * task is being killed or has ended. The executor only relays reports as status updates.
 */
export class TaskHealthChecks {
  private readonly tasks = new Map<string, Checked>();

  private readonly checkContainer: ContainerLaunch | undefined;

  constructor(private readonly options: TaskHealthOptions) {
    const cgroups = options.container?.cgroups;
    this.checkContainer = cgroups === undefined || cgroups.length === 0 ? undefined : { cgroups };
  }

  /** Reads a launching task's health check; returns why it cannot run, or undefined (also without one). */
  prepare(info: TaskInfo): string | undefined {
    if (info.health_check === undefined) return undefined;
    const plan = planHealthCheck(info.health_check);
    if ('error' in plan) return `invalid health check: ${plan.error}`;
    this.tasks.set(info.task_id.value, { plan, checker: undefined, killed: false });
    return undefined;
  }

  /** Starts checking a task that has just been reported RUNNING, in its environment `env`. */
  start(taskId: string, env: Record<string, string>, onReport: (report: HealthReport) => void): void {
    const task = this.tasks.get(taskId);
    if (task === undefined || task.checker !== undefined) return;
    task.checker = new HealthChecker(task.plan, this.runner(task.plan, env), this.options.scheduler, (report) => {
      if (!report.healthy && report.kill) task.killed = true;
      onReport(report);
    });
  }

  /** Stops checking a task (a kill has begun). */
  stop(taskId: string): void {
    this.tasks.get(taskId)?.checker?.stop();
  }

  /** Stops and forgets a task that has ended; true when its checks had asked for its kill. */
  finish(taskId: string): boolean {
    const task = this.tasks.get(taskId);
    if (task === undefined) return false;
    task.checker?.stop();
    this.tasks.delete(taskId);
    return task.killed;
  }

  /** Stops every check (the executor is going away). */
  stopAll(): void {
    for (const task of this.tasks.values()) task.checker?.stop();
  }

  private runner(plan: HealthCheckPlan, env: Record<string, string>): CheckRun {
    const target = plan.target;
    switch (target.type) {
      case 'COMMAND': return commandCheck(target.command, {
        launcher: this.options.launcher, cwd: this.options.directory, env, logPath: path.join(this.options.directory, 'stderr'),
        ...(this.checkContainer === undefined ? {} : { container: this.checkContainer }),
      });
      case 'HTTP': return httpCheck(target);
      case 'TCP': return tcpCheck(target);
    }
  }
}
