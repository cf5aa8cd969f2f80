import { expect } from 'chai';
import { existsSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TaskInfo } from '@tessera/protocol';
import { ExecutorHost } from '@tessera/executor-driver';
import { InProcessHostLauncher, UriFetcher, type ExecutorHostLauncher } from '../src/index.js';
import { FileServer } from './fetcher-support.js';
import { eventually, tempDir } from './os-support.js';
import { commandTask, framework, registeredCluster, type Cluster } from './support.js';

/**
 * The fetcher in a real agent, with a real executor host running tasks as OS processes: a task
 * reads what was fetched into its sandbox.
 */
describe('fetcher with real task processes', () => {
  let cluster: Cluster | undefined;
  let server: FileServer;
  let base: string;
  let cacheDir: string;

  before(async () => {
    server = new FileServer();
    server.serve('/message.txt', 'fetched over http\n');
    base = await server.start();
  });

  after(async () => {
    await server.stop();
  });

  afterEach(async () => {
    // The tasks here end by themselves; stopping the runtimes ends the in-process host with them.
    await cluster?.stop();
    cluster = undefined;
    rmSync(cacheDir, { recursive: true, force: true });
  });

  /** An agent whose executor host is a real ExecutorHost in the agent's runtime. */
  async function start(fetcher: UriFetcher): Promise<Cluster> {
    let launcher: InProcessHostLauncher | undefined;
    // The host needs the agent's runtime, which exists once the cluster has started.
    const hostLauncher: ExecutorHostLauncher = {
      hostFor: (frameworkId) => launcher!.hostFor(frameworkId),
      forget: (frameworkId, pid) => launcher?.forget(frameworkId, pid),
      shutdown: async () => { await launcher?.shutdown(); },
    };
    const c = await registeredCluster({ agent: { hostLauncher, fetcher } });
    launcher = new InProcessHostLauncher(c.agentRuntime, ({ onIdle }) => new ExecutorHost({ runtime: c.agentRuntime, onIdle }));
    cluster = c;
    return c;
  }

  async function finalState(c: Cluster, taskId: string): Promise<{ state: string; message: string | undefined; reason: string | undefined }> {
    const acked = new Set<string>();
    await eventually(`task ${taskId} to end`, async () => {
      // As the master: acknowledge each update, or the next one waits behind it.
      for (const { status } of c.master.got('agent.StatusUpdate')) {
        if (status.uuid === undefined || acked.has(status.uuid)) continue;
        acked.add(status.uuid);
        c.master.tell(c.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: status.task_id, uuid: status.uuid });
      }
      await c.settle();
      return c.master.got('agent.StatusUpdate').some((u) => u.status.task_id.value === taskId && ['TASK_FINISHED', 'TASK_FAILED'].includes(u.status.state));
    });
    const update = c.master.got('agent.StatusUpdate').find((u) => u.status.task_id.value === taskId && ['TASK_FINISHED', 'TASK_FAILED'].includes(u.status.state))!;
    return { state: update.status.state, message: update.status.message, reason: update.status.reason };
  }

  function sandbox(c: Cluster, taskId: string): string {
    return path.join(c.workDir, 'agents', 'S0', 'frameworks', 'F1', 'executors', taskId, 'runs', 'latest');
  }

  it('runs a task that cats a file fetched over http, twice, the second time from the cache', async () => {
    cacheDir = tempDir('tessera-fetch-cache-');
    const fetcher = new UriFetcher({ cacheDir });
    const c = await start(fetcher);
    for (const id of ['t1', 't2']) {
      const task: TaskInfo = { ...commandTask(id, 'cat message.txt'), command: { value: 'cat message.txt', uris: [{ value: `${base}/message.txt`, cache: true }] } };
      c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task });
      expect(await finalState(c, id)).to.deep.include({ state: 'TASK_FINISHED' });
      expect(readFileSync(path.join(sandbox(c, id), 'stdout'), 'utf8')).to.equal('fetched over http\n');
    }
    expect(server.count('/message.txt')).to.equal(1);
    expect(fetcher.stats()).to.deep.include({ hits: 1, misses: 1, fetchesSucceeded: 2 });
    // The cache lives under the agent's id, as Mesos's under slaves/<id>.
    expect(fetcher.stats().entries).to.equal(1);
  });

  it('fails a task whose URI is not found, with a clear reason, and never starts its command', async () => {
    cacheDir = tempDir('tessera-fetch-cache-');
    const c = await start(new UriFetcher({ cacheDir }));
    const task: TaskInfo = { ...commandTask('t1'), command: { value: 'touch started', uris: [{ value: `${base}/missing.tar.gz` }] } };
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task });
    const final = await finalState(c, 't1');
    expect(final).to.deep.equal({
      state: 'TASK_FAILED',
      reason: 'REASON_CONTAINER_LAUNCH_FAILED',
      message: `Failed to launch container: Failed to fetch URI '${base}/missing.tar.gz' for container '${readlinkSync(sandbox(c, 't1'))}': received HTTP status 404 Not Found`,
    });
    expect(c.master.got('agent.StatusUpdate').map((u) => u.status.state)).to.deep.equal(['TASK_FAILED']);
    expect(readFileSync(path.join(sandbox(c, 't1'), 'stderr'), 'utf8')).to.include('received HTTP status 404 Not Found');
    expect(existsSync(path.join(sandbox(c, 't1'), 'started'))).to.equal(false);
  });
});
