import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { Agent, DEFAULT_GC_DELAY_MS, maxSandboxAgeMs, type AgentOptions } from '../src/index.js';
import { gcPolicy } from '../src/gc/gc-policy.js';
import { GcSchedule } from '../src/gc/gc-schedule.js';
import { memoryLogger } from '@tessera/process';
import { eventually, tempDir } from './os-support.js';
import { commandTask, framework, registeredCluster, type Cluster } from './support.js';

const MINUTE = 60_000;

describe('sandbox GC policy', () => {
  it('keeps sandboxes gc_delay x max(0, 1 - headroom - disk usage), as Mesos', () => {
    const policy = gcPolicy({});
    // Mesos's defaults: 1 week, headroom 0.1.
    expect(policy.delayMs).to.equal(DEFAULT_GC_DELAY_MS);
    expect(maxSandboxAgeMs(policy, 0)).to.be.closeTo(0.9 * DEFAULT_GC_DELAY_MS, 1e-6);
    expect(maxSandboxAgeMs(policy, 0.5)).to.be.closeTo(0.4 * DEFAULT_GC_DELAY_MS, 1e-6);
    // At or past 1 - headroom, a sandbox goes at the next check.
    expect(maxSandboxAgeMs(policy, 0.9)).to.be.closeTo(0, 1e-6);
    expect(maxSandboxAgeMs(policy, 0.97)).to.equal(0);
    expect(maxSandboxAgeMs(gcPolicy({ gcDelayMs: 1000, gcDiskHeadroom: 0 }), 0.25)).to.equal(750);
  });

  it('refuses a delay or interval that is not positive, and a headroom outside 0..1', () => {
    expect(() => gcPolicy({ gcDelayMs: 0 })).to.throw('gcDelayMs must be a positive number of ms, got 0');
    expect(() => gcPolicy({ gcDiskHeadroom: 1.5 })).to.throw('gcDiskHeadroom must be a fraction from 0 to 1, got 1.5');
    expect(() => gcPolicy({ diskWatchIntervalMs: -1 })).to.throw('diskWatchIntervalMs must be a positive number of ms, got -1');
  });
});

describe('sandbox GC schedule', () => {
  it('gives the paths old enough, outermost first, taking what is inside them off the schedule too', () => {
    const schedule = new GcSchedule();
    schedule.schedule('/w/fw/executors/e', 100);
    schedule.schedule('/w/fw/executors/e/runs/r', 100);
    schedule.schedule('/w/fw', 150);
    schedule.schedule('/w/other', 500);
    // At 200 with a max age of 50: /w/fw (age 50) and the two inside it (age 100) are due; one rm does all.
    expect(schedule.takeDue(200, 50)).to.deep.equal(['/w/fw']);
    expect(schedule.size).to.equal(1);
    expect(schedule.takeDue(200, 50)).to.deep.equal([]);
  });

  it('keeps the older time of a path scheduled twice, and forgets an unscheduled one', () => {
    const schedule = new GcSchedule();
    schedule.schedule('/a', 100);
    schedule.schedule('/a', 300);
    expect(schedule.takeDue(150, 50)).to.deep.equal(['/a']);
    schedule.schedule('/b', 0);
    expect(schedule.unschedule('/b')).to.equal(true);
    expect(schedule.takeDue(1000, 0)).to.deep.equal([]);
  });
});

describe('sandbox GC in the agent', () => {
  let cluster: Cluster | undefined;
  let usage: number | Error;
  const scratch: string[] = [];
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** 10 min delay, headroom 0.1, disk checked every minute; the disk usage is `usage`. */
  function gcOptions(): Partial<AgentOptions> {
    return {
      gcDelayMs: 10 * MINUTE, gcDiskHeadroom: 0.1, diskWatchIntervalMs: MINUTE,
      diskUsage: async () => { if (usage instanceof Error) throw usage; return usage; },
    };
  }

  function dirs(c: Cluster, executorId: string, frameworkId = 'F1'): { framework: string; executor: string; runs: string } {
    const fw = path.join(c.workDir, 'agents', 'S0', 'frameworks', frameworkId);
    const executor = path.join(fw, 'executors', executorId);
    return { framework: fw, executor, runs: path.join(executor, 'runs') };
  }

  /** Runs command task `id` to TASK_FINISHED, acknowledged, and lets its executor exit. */
  async function finishTask(c: Cluster, id: string): Promise<void> {
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask(id) });
    await c.settle();
    const executor = c.host.executors.get(id)!;
    const uuid = executor.update(id, 'TASK_FINISHED');
    await c.settle();
    c.master.tell(c.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: { value: id }, uuid });
    executor.exit();
    await c.settle();
  }

  it('removes a finished sandbox, its executor and its framework after the delay scaled by the disk usage', async () => {
    usage = 0.4;
    cluster = await registeredCluster({ agent: gcOptions() });
    await finishTask(cluster, 't1');
    const { framework: fw, executor } = dirs(cluster, 't1');
    expect(existsSync(executor)).to.equal(true);
    // 10 min x (1 - 0.1 - 0.4) = 5 min; checked each minute.
    await cluster.advance(4 * MINUTE, MINUTE);
    expect(existsSync(executor)).to.equal(true);
    await cluster.advance(2 * MINUTE, MINUTE);
    expect(existsSync(executor)).to.equal(false);
    expect(existsSync(fw)).to.equal(false);
    // Moved aside at once, then deleted off the mailbox (real I/O): the trash empties.
    const trash = path.join(cluster.workDir, 'agents', 'S0', 'gc-trash');
    await eventually('the trash to empty', () => readdirSync(trash).length === 0);
  });

  it('removes at the next check once the disk is fuller than 1 - headroom', async () => {
    usage = 0.95;
    cluster = await registeredCluster({ agent: gcOptions() });
    await finishTask(cluster, 't1');
    await cluster.advance(MINUTE, MINUTE);
    expect(existsSync(dirs(cluster, 't1').framework)).to.equal(false);
  });

  it('waits the plain delay when the disk usage cannot be read', async () => {
    usage = new Error('statfs failed');
    cluster = await registeredCluster({ agent: gcOptions() });
    await finishTask(cluster, 't1');
    await cluster.advance(9 * MINUTE, MINUTE);
    expect(existsSync(dirs(cluster, 't1').executor)).to.equal(true);
    await cluster.advance(2 * MINUTE, MINUTE);
    expect(existsSync(dirs(cluster, 't1').executor)).to.equal(false);
  });

  it('keeps the directory of a framework that still runs tasks, and of an executor that runs again', async () => {
    usage = 0.4;
    cluster = await registeredCluster({ agent: gcOptions() });
    const c = cluster;
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('long', 'sleep 1000') });
    await finishTask(c, 't1');
    // A custom executor's first run ends; its second starts before the GC comes by.
    const { command: _command, ...rest } = commandTask('c1');
    const custom = { ...rest, executor: { executor_id: { value: 'ex' }, command: { value: './executor' } } };
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: custom });
    await c.settle();
    const firstRun = c.processLauncher.launched[0]!;
    firstRun.end({ code: 0, signal: null });
    await c.settle();
    const oldRuns = readdirSync(dirs(c, 'ex').runs).filter((r) => r !== 'latest');
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: { ...custom, task_id: { value: 'c2' }, name: 'c2' } });
    await c.settle();
    await c.advance(6 * MINUTE, MINUTE);
    expect(existsSync(dirs(c, 't1').executor)).to.equal(false);
    expect(existsSync(dirs(c, 'long').executor)).to.equal(true);
    expect(existsSync(dirs(c, 'ex').executor)).to.equal(true);
    // The first run's sandbox goes; the second run's stays.
    expect(existsSync(path.join(dirs(c, 'ex').runs, oldRuns[0]!))).to.equal(false);
    expect(existsSync(path.join(dirs(c, 'ex').runs, 'latest'))).to.equal(true);
  });

  it('after a restart, schedules what an earlier run of the agent left behind, by its modification time', async () => {
    usage = 0.4;
    const meta = tempDir('tessera-gc-meta-');
    scratch.push(meta);
    const options: Partial<AgentOptions> = { ...gcOptions(), checkpointDir: meta, bootId: 'boot-1' };
    cluster = await registeredCluster({ agent: options });
    const c = cluster;
    // A framework's sandbox left by an earlier agent process, untouched since long ago.
    const old = path.join(c.workDir, 'agents', 'S0', 'frameworks', 'OLD');
    mkdirSync(path.join(old, 'executors', 'e', 'runs', 'r'), { recursive: true });
    for (const dir of [old, path.join(old, 'executors', 'e'), path.join(old, 'executors', 'e', 'runs', 'r')]) utimesSync(dir, 0, 0);
    await c.advance(10 * MINUTE, MINUTE);
    // The agent restarts (its schedule in memory is lost) and recovers as S0.
    c.agentRuntime.terminate(c.agent.pid);
    await c.settle();
    c.agent = c.agentRuntime.spawn(new Agent({ workDir: c.workDir, hostLauncher: c.hostLauncher, executorLauncher: c.processLauncher, resources: 'cpus:4', ...options }));
    await c.settle();
    expect(c.agent.id).to.equal('S0');
    // The look through the work dir is real I/O, which settling the runtimes does not wait for.
    const lines = (c.agentRuntime.logger as ReturnType<typeof memoryLogger>).lines;
    await eventually('the leftovers to be scheduled', () => lines.some((l) => l.message.includes('sandbox GC: scheduled 3 directories left by an earlier run')));
    // Its age (10 min) is past 5 min: removed at the first check.
    await c.advance(MINUTE, MINUTE);
    expect(existsSync(old)).to.equal(false);
  });
});
