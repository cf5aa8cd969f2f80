import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TaskInfo } from '@tessera/protocol';
import { OsExecutorProcessLauncher } from '../src/os-executor-launcher.js';
import { eventually } from './os-support.js';
import { commandTask, framework, registeredCluster, type Cluster } from './support.js';

describe('agent with real executor processes', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.agent.stop({ shutdownExecutors: true }).catch(() => undefined);
    await cluster?.stop();
    cluster = undefined;
  });

  it('starts a custom executor in its sandbox and fails its task when the process exits', async () => {
    cluster = await registeredCluster({ agent: { executorLauncher: new OsExecutorProcessLauncher() } });
    const { command: _command, ...rest } = commandTask('t1');
    const task: TaskInfo = { ...rest, executor: { executor_id: { value: 'ex' }, command: { value: 'echo "$TESSERA_EXECUTOR_ID $TESSERA_AGENT" > seen; exit 3' } } };
    cluster.master.tell(cluster.agent.pid, 'agent.RunTask', { framework: framework(), task });
    const c = cluster;
    await eventually('the task to fail', async () => {
      await c.settle();
      return c.master.got('agent.StatusUpdate').length > 0;
    });
    const [update] = cluster.master.got('agent.StatusUpdate');
    expect(update!.status).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_TERMINATED', message: 'Executor exited with status 3' });
    const runs = path.join(cluster.workDir, 'agents', 'S0', 'frameworks', 'F1', 'executors', 'ex', 'runs', 'latest');
    expect(readFileSync(path.join(runs, 'seen'), 'utf8')).to.equal(`ex ${cluster.agent.pid}\n`);
    expect(cluster.master.got('agent.ExecutorExited').map((e) => e.status)).to.deep.equal([3]);
  });
});
