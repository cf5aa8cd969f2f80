import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Resources, type Offer } from '@tessera/protocol';
import { eventually } from '@tessera/test-harness';
import { TestFramework, findFiles, isAlive, killProcessesOf, pidsIn, startCluster, type E2ECluster } from './fixture.js';

const TESSERA = fileURLToPath(new URL('../../../bin/tessera.js', import.meta.url));

function sleepTask(id: string, offer: Offer, command = 'sleep 600') {
  return {
    name: id, task_id: { value: id }, agent_id: offer.agent_id,
    resources: Resources.parse('cpus:0.1;mem:16').withAllocation(offer.allocation_info?.role ?? '*').toJSON(),
    command: { value: command },
  };
}

describe('e2e: failures of agents and schedulers', function () {
  this.timeout(90_000);
  let cluster: E2ECluster;
  let agentProcess: ChildProcess | undefined;
  beforeEach(async () => { cluster = await startCluster({ agents: 0 }); });
  afterEach(async () => {
    agentProcess?.kill('SIGKILL');
    killProcessesOf(cluster.network.nats);
    await cluster.stop();
  });

  it('reports the tasks of a SIGKILLed agent TASK_LOST, or TASK_UNREACHABLE to a partition-aware framework, and rescinds its offers', async () => {
    agentProcess = spawn(process.execPath, [TESSERA, 'agent', '--nats', cluster.network.nats, '--cluster', cluster.network.cluster,
      '--work-dir', cluster.workDir, '--resources', 'cpus:4;mem:1024', '--log-level', 'warn'], { stdio: 'ignore' });
    await eventually('the agent process registered', () => cluster.master.process.state.agents.size === 1, 15_000);
    const plain = await new TestFramework(cluster, { name: 'plain' }).start();
    const aware = await new TestFramework(cluster, { name: 'aware', capabilities: [{ type: 'PARTITION_AWARE' }] }).start();
    for (const [framework, id] of [[plain, 'p'], [aware, 'a']] as const) {
      const offer = await framework.takeOffer();
      framework.driver.launch([offer.id.value], [sleepTask(id, offer)], { refuse_seconds: 0 });
      await framework.waitForState(id, 'TASK_RUNNING');
    }
    await eventually('a framework holds an outstanding offer', () => plain.offers.length + aware.offers.length > 0);
    const held = [...plain.offers, ...aware.offers].map((o) => o.id.value);
    agentProcess.kill('SIGKILL');
    const lost = await plain.waitForState('p', 'TASK_LOST');
    expect(lost.reason).to.equal('REASON_AGENT_REMOVED');
    await aware.waitForState('a', 'TASK_UNREACHABLE');
    await eventually('every outstanding offer on the agent rescinded', () => held.every((id) => [...plain.rescinded, ...aware.rescinded].includes(id)));
    expect(cluster.master.process.state.offers.size).to.equal(0);
    await plain.driver.stop();
    await aware.driver.stop();
  });

  it('keeps a framework\'s tasks when its scheduler comes back within failover_timeout, and tears it down past it', async () => {
    cluster.agents.push(await (await import('../../src/services.js')).startAgentService(cluster.network, cluster.logger, { node: 'agent-1', workDir: cluster.workDir, resources: 'cpus:4;mem:1024' }));
    await eventually('agent registered', () => cluster.master.process.state.agents.size === 1);
    const first = await new TestFramework(cluster, { name: 'fo', failover_timeout: 60 }).start();
    const offer = await first.takeOffer();
    first.driver.launch([offer.id.value], [sleepTask('kept', offer, 'echo $$ > pids; exec sleep 600')]);
    await first.waitForState('kept', 'TASK_RUNNING');
    await first.driver.stop({ failover: true });
    const record = () => cluster.master.process.state.frameworks.get(first.frameworkId);
    await eventually('the master sees the scheduler gone', () => record()?.lifecycle.value === 'disconnected', 15_000);
    const second = await new TestFramework(cluster, { name: 'fo', failover_timeout: 1, id: { value: first.frameworkId } }).start();
    expect(second.frameworkId).to.equal(first.frameworkId);
    second.driver.reconcile([]);
    await second.waitForState('kept', 'TASK_RUNNING');
    expect(record()?.tasks.has('kept')).to.equal(true);
    let pidFile: string | undefined;
    await eventually('the task wrote its pid', () => (pidFile = findFiles(cluster.workDir, 'pids').find((f) => f.includes(first.frameworkId))) !== undefined && pidsIn(pidFile).length === 1);
    const [pid] = pidsIn(pidFile!);
    expect(isAlive(pid!)).to.equal(true);
    // Now away for longer than the (updated) 1 s failover timeout: torn down, its task killed.
    await second.driver.stop({ failover: true });
    await eventually('the framework torn down', () => cluster.master.process.state.completedFrameworks.some((f) => f.id === first.frameworkId), 20_000);
    await eventually('the torn-down framework\'s task process killed', () => !isAlive(pid!), 15_000);
    const third = new TestFramework(cluster, { name: 'fo', id: { value: first.frameworkId } });
    const refused = await third.start().then(() => 'subscribed', (err: Error) => err.message);
    expect(refused).to.match(/has been removed/);
    await third.driver.stop().catch(() => undefined);
  });
});
