import { expect } from 'chai';
import type { FetchRequest, SandboxFetcher } from '../src/index.js';
import { commandTask, framework, registeredCluster, type Cluster } from './support.js';

/** A fetcher whose fetches the test settles by hand; it records what it was asked and aborted. */
class HeldFetcher implements SandboxFetcher {
  readonly asked: (FetchRequest & { signal: AbortSignal; settle: (error?: Error) => void })[] = [];
  fetch(request: FetchRequest, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.asked.push({ ...request, signal, settle: (error) => (error === undefined ? resolve() : reject(error)) });
    });
  }
}

describe('agent boot with a fetch', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  async function start(fetcher: SandboxFetcher, options: { executorRegistrationTimeoutMs?: number } = {}): Promise<Cluster> {
    cluster = await registeredCluster({ agent: { fetcher, ...options } });
    cluster.master.tell(cluster.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('t1') });
    await cluster.settle();
    return cluster;
  }

  it('starts the executor only once the fetch is done', async () => {
    const fetcher = new HeldFetcher();
    const c = await start(fetcher);
    expect(fetcher.asked).to.have.length(1);
    expect(fetcher.asked[0]!.launch).to.deep.include({ kind: 'task' });
    expect(fetcher.asked[0]!.agentId).to.equal('S0');
    expect(c.host.spawns).to.have.length(0);
    fetcher.asked[0]!.settle();
    await c.settle();
    expect(c.host.spawns).to.have.length(1);
  });

  it('fails the task with REASON_CONTAINER_LAUNCH_FAILED and starts nothing when the fetch fails', async () => {
    const fetcher = new HeldFetcher();
    const c = await start(fetcher);
    fetcher.asked[0]!.settle(new Error("Failed to fetch 'http://x/y': HTTP 404"));
    await c.settle();
    expect(c.host.spawns).to.have.length(0);
    const [update] = c.master.got('agent.StatusUpdate');
    expect(update!.status).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', source: 'SOURCE_AGENT' });
    expect(update!.status.message).to.equal("Failed to launch container: Failed to fetch 'http://x/y': HTTP 404");
  });

  it('ends a run killed while fetching: the fetch is aborted and no executor starts after it', async () => {
    const fetcher = new HeldFetcher();
    const c = await start(fetcher);
    c.master.tell(c.agent.pid, 'agent.KillTask', { framework_id: { value: 'F1' }, task_id: { value: 't1' } });
    await c.settle();
    expect(fetcher.asked[0]!.signal.aborted).to.equal(true);
    expect(c.master.got('agent.StatusUpdate').map((u) => [u.status.state, u.status.reason])).to.deep.equal([['TASK_KILLED', 'REASON_TASK_KILLED_DURING_LAUNCH']]);
    // The fetch finishing late (an abort is best effort) must not bring the executor back.
    fetcher.asked[0]!.settle();
    await c.settle();
    expect(c.host.spawns).to.have.length(0);
    expect(c.agent.operator.state().frameworks.flatMap((f) => f.executors)).to.deep.equal([]);
  });

  it('counts the fetch in the registration timeout, as Mesos does', async () => {
    const fetcher = new HeldFetcher();
    const c = await start(fetcher, { executorRegistrationTimeoutMs: 10_000 });
    await c.advance(11_000, 1_000);
    const [update] = c.master.got('agent.StatusUpdate');
    expect(update!.status).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_REGISTRATION_TIMEOUT' });
    expect(fetcher.asked[0]!.signal.aborted).to.equal(true);
    fetcher.asked[0]!.settle();
    await c.settle();
    expect(c.host.spawns).to.have.length(0);
  });
});
