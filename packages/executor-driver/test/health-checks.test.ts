import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HealthCheck, TaskStatus } from '@tessera/protocol';
import { ExecutorRigs } from './executor-rig.js';
import { commandTask } from './fake-agent.js';
import { eventually, freePort, isAlive } from './support.js';

const rigs = new ExecutorRigs();
afterEach(() => rigs.cleanUp());

/**
 * A task's HTTP server on `port` (argv[2]) that answers 200 until a file `stop` appears in the
 * sandbox, then stops listening while its process keeps running.
 */
const SERVER = `
import http from 'node:http';
import { existsSync } from 'node:fs';
const server = http.createServer((_req, res) => res.end('ok'));
server.listen(Number(process.argv[2]), '127.0.0.1');
const watch = setInterval(() => { if (existsSync('stop')) { server.close(); clearInterval(watch); setInterval(() => {}, 60_000); } }, 20);
`;

/** Quick checks: from the start, every 0.2 s, killing at the second counted failure. */
const quick = (check: HealthCheck): HealthCheck => ({ delay_seconds: 0, interval_seconds: 0.2, timeout_seconds: 2, consecutive_failures: 2, grace_period_seconds: 5, ...check });

/** The updates of a task, each once. */
function updatesOf(statuses: TaskStatus[], taskId: string): TaskStatus[] {
  const seen = new Set<string>();
  return statuses.filter((s) => s.task_id.value === taskId && !seen.has(s.uuid!) && seen.add(s.uuid!));
}

async function serving(check: (port: number) => HealthCheck) {
  const rig = await rigs.start();
  const port = await freePort();
  await writeFile(path.join(rig.directory, 'server.mjs'), SERVER);
  const task = commandTask('web', `exec "${process.execPath}" server.mjs ${port}`, {
    health_check: quick(check(port)), kill_policy: { grace_period: { nanoseconds: 1_000_000_000 } },
  });
  rig.agent.launch(rig.executor.pid, task);
  const updates = () => updatesOf(rig.agent.updates(), 'web');
  await eventually('the task is reported healthy', () => updates().some((u) => u.healthy === true), 10_000);
  return { ...rig, updates, stopServing: () => writeFile(path.join(rig.directory, 'stop'), '') };
}

/** What a task whose checks failed must have been told, in order, and that its process is gone. */
async function expectKilledByChecks(rig: Awaited<ReturnType<typeof serving>>, failure: RegExp): Promise<void> {
  await eventually('the task is killed', () => rig.updates().at(-1)?.state === 'TASK_KILLED', 15_000);
  const updates = rig.updates();
  const health = updates.filter((u) => u.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
  expect(health.map((u) => [u.state, u.healthy])).to.deep.equal([['TASK_RUNNING', true], ['TASK_RUNNING', false], ['TASK_RUNNING', false]]);
  expect(health[1]!.message).to.match(failure);
  expect(updates.map((u) => u.state).slice(-2)).to.deep.equal(['TASK_KILLING', 'TASK_KILLED']);
  expect(updates.at(-1)).to.deep.include({ healthy: false, message: 'Command terminated with signal SIGTERM' });
  expect(await isAlive(rig.launcher.pids[0]!)).to.equal(false);
}

describe('CommandExecutor health checks with real processes', function () {
  this.timeout(30_000);

  it('HTTP: a task whose server answers turns healthy, then unhealthy when it stops answering, and is killed', async () => {
    const rig = await serving((port) => ({ type: 'HTTP', http: { port, path: '/health' } }));
    await rig.stopServing();
    await expectKilledByChecks(rig, /^GET http:\/\/127\.0\.0\.1:\d+\/health failed: ECONNREFUSED$/);
  });

  it('TCP: a task that accepts connections turns healthy, then unhealthy when it stops listening, and is killed', async () => {
    const rig = await serving((port) => ({ type: 'TCP', tcp: { port } }));
    await rig.stopServing();
    await expectKilledByChecks(rig, /^TCP connection to 127\.0\.0\.1:\d+ failed: ECONNREFUSED$/);
  });

  it('COMMAND: a check run in the sandbox turns the task healthy, then kills it once the command fails', async () => {
    const rig = await serving(() => ({ type: 'COMMAND', command: { value: 'test ! -e stop && test -n "$MESOS_TASK_ID"' } }));
    await rig.stopServing();
    await expectKilledByChecks(rig, /^the health check command exited with status 1$/);
  });

  it('COMMAND: a task never healthy is killed once the grace period is over', async () => {
    const rig = await rigs.start();
    const started = performance.now();
    rig.agent.launch(rig.executor.pid, commandTask('sick', 'sleep 600', {
      health_check: quick({ type: 'COMMAND', command: { value: 'exit 1' }, grace_period_seconds: 1 }),
    }));
    await eventually('the task is killed', () => rig.agent.last('sick')?.state === 'TASK_KILLED', 15_000);
    expect(performance.now() - started).to.be.greaterThan(1_000);
    const health = updatesOf(rig.agent.updates(), 'sick').filter((u) => u.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
    expect(health.map((u) => u.healthy)).to.deep.equal([false, false]);
    expect(rig.agent.last('sick')).to.deep.include({ healthy: false });
  });

  it('COMMAND: a check that outlives its timeout is killed and counts as a failure', async () => {
    const rig = await rigs.start();
    rig.agent.launch(rig.executor.pid, commandTask('slow', 'sleep 600', {
      health_check: quick({ type: 'COMMAND', command: { value: 'sleep 600' }, timeout_seconds: 0.3, grace_period_seconds: 0 }),
    }));
    await eventually('the task is killed', () => rig.agent.last('slow')?.state === 'TASK_KILLED', 15_000);
    const health = updatesOf(rig.agent.updates(), 'slow').filter((u) => u.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
    expect(health.map((u) => u.message)).to.deep.equal(['the health check timed out after 0.3 s', 'the health check timed out after 0.3 s']);
    // Every check's process group was killed: the only processes started are the task and two checks, all gone.
    expect(rig.launcher.pids).to.have.length(3);
    await eventually('no process of the task or its checks is left', async () => !(await Promise.all(rig.launcher.pids.map(isAlive))).some(Boolean));
  });
});
