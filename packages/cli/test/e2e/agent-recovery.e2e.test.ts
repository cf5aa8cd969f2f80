import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Resources, type Offer } from '@tessera/protocol';
import { eventually } from '@tessera/test-harness';
import { TestFramework, findFiles, isAlive, killProcessesOf, pidsIn, startCluster, type E2ECluster } from './fixture.js';

const TESSERA = fileURLToPath(new URL('../../../bin/tessera.js', import.meta.url));

/** A task that writes its pid to `pid` in its sandbox, then sleeps. */
function sleepTask(id: string, offer: Offer) {
  return {
    name: id, task_id: { value: id }, agent_id: offer.agent_id,
    resources: Resources.parse('cpus:0.1;mem:16').withAllocation(offer.allocation_info?.role ?? '*').toJSON(),
    command: { value: 'echo $$ > pid; exec sleep 600' },
  };
}

describe('e2e: an agent process SIGKILLed and restarted', function () {
  this.timeout(90_000);
  let cluster: E2ECluster;
  let agentProcess: ChildProcess | undefined;
  // Slow enough agent-loss detection that a restart within seconds is a restart, not a removal.
  beforeEach(async () => { cluster = await startCluster({ agents: 0, master: { agentPingTimeoutMs: 1_000, maxAgentPingTimeouts: 15 } }); });
  afterEach(async () => {
    agentProcess?.kill('SIGKILL');
    killProcessesOf(cluster.network.nats);
    await cluster.stop();
  });

  function startAgent(extra: string[] = []): ChildProcess {
    return spawn(process.execPath, [TESSERA, 'agent', '--nats', cluster.network.nats, '--cluster', cluster.network.cluster,
      '--work-dir', cluster.workDir, '--resources', 'cpus:4;mem:1024', '--log-level', 'warn', ...extra], { stdio: 'ignore' });
  }

  /** Registers an agent process and runs a sleep task on it; returns the framework and the task's OS pid. */
  async function runningTask(extra: string[] = []): Promise<{ framework: TestFramework; pid: number; agentId: string }> {
    agentProcess = startAgent(extra);
    await eventually('the agent process registered', () => cluster.master.process.state.agents.size === 1, 15_000);
    const framework = await new TestFramework(cluster, { name: 'recovery' }).start();
    const offer = await framework.takeOffer();
    framework.driver.launch([offer.id.value], [sleepTask('t1', offer)], { refuse_seconds: 0 });
    await framework.waitForState('t1', 'TASK_RUNNING');
    await eventually('the task wrote its pid', () => findFiles(cluster.workDir, 'pid').length === 1 && pidsIn(findFiles(cluster.workDir, 'pid')[0]!).length === 1);
    const [pid] = pidsIn(findFiles(cluster.workDir, 'pid')[0]!);
    return { framework, pid: pid!, agentId: offer.agent_id.value };
  }

  for (const placement of ['resident', 'host-process']) {
    it(`keeps its task running with ${placement} executors: the restarted agent re-registers with the same id, its executor subscribes again, and a kill still reaches the task`, async () => {
      const flags = ['--executors', placement];
      const { framework, pid, agentId } = await runningTask(flags);
      agentProcess!.kill('SIGKILL');
      await eventually('the agent process is gone', () => agentProcess!.exitCode !== null || agentProcess!.signalCode !== null);
      // Down for about a second, as a supervisor would restart it.
      const downAt = Date.now();
      await eventually('a second has passed', () => Date.now() - downAt >= 1_000);
      expect(isAlive(pid)).to.equal(true);
      agentProcess = startAgent(flags);
      const lines = (cluster.logger as unknown as { lines: { message: string; fields: Record<string, unknown> }[] }).lines;
      await eventually('the agent re-registered with its id and its task', () =>
        lines.some((l) => l.message === 'agent re-registered' && l.fields.agent === agentId && l.fields.tasks === 1), 20_000);
      expect(cluster.master.process.state.agents.size).to.equal(1);
      expect(isAlive(pid)).to.equal(true);
      framework.driver.kill('t1');
      await framework.waitForState('t1', 'TASK_KILLED', 20_000);
      await eventually('the task process is gone', () => !isAlive(pid));
      expect(framework.statesOf('t1')).to.not.include('TASK_LOST');
      expect(framework.statesOf('t1')).to.not.include('TASK_FAILED');
      await framework.driver.stop();
    });
  }

  for (const placement of ['resident', 'host-process']) {
    it(`kills its task when the agent does not come back within the recovery timeout (${placement} executors)`, async () => {
      const { framework, pid } = await runningTask(['--recovery-timeout', '1500', '--executors', placement]);
      agentProcess!.kill('SIGKILL');
      // A host's executor notices the agent's node gone (~3 s of missed heartbeats), waits 1.5 s and
      // kills its task; the agent's own spawner sees its socket close and waits 1.5 s.
      await eventually('the task process is gone', () => !isAlive(pid), 20_000);
      await framework.driver.stop();
    });
  }
});
