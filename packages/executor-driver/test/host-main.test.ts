import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { NatsTransport, Random, Runtime, memoryLogger } from '@tessera/process';
import { EXECUTOR_HOST_MAIN } from '../src/host-main-path.js';
import { runExecutor } from '../src/run-executor.js';
import type { ExecutorDriver } from '../src/executor-driver.js';
import { commandTask, FakeAgent } from './fake-agent.js';
import { startNatsServer, type NatsServer } from '@tessera/test-harness';
import { eventually, processesIn, Sandboxes } from './support.js';

const sandboxes = new Sandboxes();

/** Resolves with the exit code once the child has exited. */
function exitOf(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('executor host main and runExecutor over a real nats-server', function () {
  this.timeout(30_000);
  let nats: NatsServer | undefined;
  let host: ChildProcess | undefined;
  let runtime: Runtime | undefined;
  let natsUrl = '';
  const cluster = `test-${new Random(Number(process.pid)).token(6)}`;

  before(async () => {
    nats = await startNatsServer();
    natsUrl = nats.url;
    runtime = await Runtime.create({ transport: new NatsTransport({ node: 'agent-node', servers: natsUrl, cluster }), logger: memoryLogger() });
  });

  after(async () => {
    host?.kill('SIGKILL');
    // A host killed mid-test cannot kill its tasks: find them by their sandbox.
    for (const dir of sandboxes.list()) for (const pid of await processesIn(dir)) process.kill(pid, 'SIGKILL');
    await runtime?.stop();
    await nats?.stop();
    await sandboxes.removeAll();
  });

  it('runs tasks for an agent, and on SIGTERM kills them and exits 0', async () => {
    const agent = runtime!.spawn(new FakeAgent('agent'));
    const node = `host-${new Random(7).token(6)}`;
    let stderr = '';
    host = spawn(process.execPath, [EXECUTOR_HOST_MAIN], {
      env: { ...process.env, TESSERA_NATS_URL: natsUrl, TESSERA_CLUSTER: cluster, TESSERA_HOST_NODE: node, TESSERA_HOST_IDLE_MS: '60000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    host.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    await eventually('the host is ready', () => stderr.includes('executor host ready'), 15_000);
    const directory = await sandboxes.make();
    const spawned = await runtime!.ask(`executor-host@${node}`, 'executor.Spawn', {
      framework_id: { value: 'f1' }, executor_info: { executor_id: { value: 'e1' } }, directory, agent: agent.pid, shutdown_grace_period_ms: 500,
    }, { expect: 'executor.Spawned' });
    expect(spawned.pid).to.equal(`command-executor-0@${node}`);
    await eventually('the executor subscribes', () => agent.callsOf('SUBSCRIBE').some((c) => c.from === spawned.pid));
    agent.launch(spawned.pid!, commandTask('t1', 'sleep 600'));
    await eventually('the task runs', () => agent.last('t1')?.state === 'TASK_RUNNING');
    expect(await processesIn(directory)).to.not.be.empty;
    host.kill('SIGTERM');
    expect(await exitOf(host)).to.equal(0);
    expect(agent.last('t1')!.state).to.equal('TASK_KILLED');
    expect(await processesIn(directory)).to.deep.equal([]);
  });

  it('runs a custom executor written with runExecutor from the agent-given environment', async () => {
    const agent = runtime!.spawn(new FakeAgent('agent-2'));
    const finished = new Set<string>();
    const { driver, done } = await runExecutor({
      launch(task, d: ExecutorDriver) {
        d.sendStatusUpdate({ task_id: task.task_id, state: 'TASK_RUNNING' });
        finished.add(d.sendStatusUpdate({ task_id: task.task_id, state: 'TASK_FINISHED', data: task.data }));
      },
      kill(taskId, _policy, d) {
        d.sendStatusUpdate({ task_id: { value: taskId }, state: 'TASK_KILLED' });
      },
      acknowledged(_taskId, uuid, d) {
        if (finished.delete(uuid)) d.stop();
      },
    }, {
      env: { TESSERA_NATS_URL: natsUrl, TESSERA_CLUSTER: cluster, TESSERA_AGENT: agent.pid, TESSERA_FRAMEWORK_ID: 'f1', TESSERA_EXECUTOR_ID: 'custom', TESSERA_SANDBOX: '/tmp' },
      logger: memoryLogger(),
    });
    expect(driver.pid).to.match(/^executor@executor-[a-z0-9]{8}$/);
    await eventually('the executor subscribes', () => agent.callsOf('SUBSCRIBE').length === 1);
    agent.launch(driver.pid, commandTask('t1', undefined, { data: 'aGk=' }));
    await done;
    expect(agent.states('t1')).to.deep.equal(['TASK_RUNNING', 'TASK_FINISHED']);
    expect(agent.last('t1')!.data).to.equal('aGk=');
  });
});
