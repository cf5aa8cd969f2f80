import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Resources } from '@tessera/protocol';
import { eventually } from '@tessera/test-harness';
import { runExecute } from '../../src/execute/run-execute.js';
import { TestFramework, findFiles, isAlive, pidsIn, useCluster } from './fixture.js';

function shellTask(id: string, offer: { agent_id: { value: string }; allocation_info?: { role: string } }, command: string, resources = 'cpus:0.1;mem:32') {
  return {
    name: id, task_id: { value: id }, agent_id: offer.agent_id,
    resources: Resources.parse(resources).withAllocation(offer.allocation_info?.role ?? '*').toJSON(),
    command: { value: command },
  };
}

describe('e2e: tasks on a real cluster (nats-server, OS processes)', function () {
  this.timeout(60_000);
  const cluster = useCluster({ agents: 2 });

  it('runs K copies of a command to TASK_FINISHED, each with its output in its sandbox', async () => {
    const result = await runExecute({
      network: cluster().network, master: 'master@master', role: '*', name: 'echo', instances: 6, resources: 'cpus:0.1;mem:16',
      command: 'echo "out of $MESOS_TASK_ID"; echo "err of $MESOS_TASK_ID" >&2', print: () => {}, logger: cluster().logger,
    });
    expect(result.failures).to.deep.equal([]);
    expect(result.finished).to.equal(6);
    const outputs = findFiles(path.join(cluster().workDir, 'agents'), 'stdout')
      .filter((f) => f.includes(result.frameworkId))
      .map((f) => readFileSync(f, 'utf8').trim());
    expect(outputs.filter((o) => o.startsWith('out of echo-')).sort()).to.deep.equal([0, 1, 2, 3, 4, 5].map((i) => `out of echo-${i}`));
    const errors = findFiles(path.join(cluster().workDir, 'agents'), 'stderr').filter((f) => f.includes(result.frameworkId)).map((f) => readFileSync(f, 'utf8'));
    expect(errors.join('')).to.include('err of echo-3');
  });

  it('reports a failing command as TASK_FAILED with its exit code', async () => {
    const result = await runExecute({
      network: cluster().network, master: 'master@master', role: '*', name: 'fails', instances: 1, resources: 'cpus:0.1;mem:16',
      command: 'exit 3', print: () => {}, logger: cluster().logger,
    });
    expect(result.finished).to.equal(0);
    expect(result.failures).to.have.length(1);
    expect(result.failures[0]!.state).to.equal('TASK_FAILED');
    expect(result.failures[0]!.message).to.match(/status 3/);
  });

  it('kills a task\'s whole process tree within the grace period', async () => {
    // TASK_KILLING goes only to frameworks that ask for it, as in Mesos.
    const framework = await new TestFramework(cluster(), { capabilities: [{ type: 'TASK_KILLING_STATE' }] }).start();
    const offer = await framework.takeOffer();
    const script = 'echo $$ > pids; sleep 600 & echo $! >> pids; sh -c "sleep 600" & echo $! >> pids; wait';
    framework.driver.launch([offer.id.value], [shellTask('tree', offer, script)]);
    await framework.waitForState('tree', 'TASK_RUNNING');
    let pidFile: string[] = [];
    await eventually('the task wrote its pids', () => (pidFile = findFiles(cluster().workDir, 'pids').filter((f) => f.includes(framework.frameworkId))).length === 1 && pidsIn(pidFile[0]!).length === 3);
    const pids = pidsIn(pidFile[0]!);
    expect(pids.every(isAlive)).to.equal(true);
    const asked = performance.now();
    framework.driver.kill('tree', offer.agent_id.value, { grace_period: { nanoseconds: 1_000_000_000 } });
    await framework.waitForState('tree', 'TASK_KILLED');
    await eventually('every process of the task is gone', () => pids.every((p) => !isAlive(p)), 5_000);
    expect(performance.now() - asked).to.be.lessThan(4_000);
    expect(framework.statesOf('tree')).to.include('TASK_KILLING');
    await framework.driver.stop();
  });

  it('answers reconciliation with the latest state of each task', async () => {
    const framework = await new TestFramework(cluster(), { capabilities: [{ type: 'PARTITION_AWARE' }] }).start();
    const offer = await framework.takeOffer();
    framework.driver.launch([offer.id.value], [shellTask('long', offer, 'sleep 600')]);
    await framework.waitForState('long', 'TASK_RUNNING');
    const before = framework.updates.length;
    framework.driver.reconcile([{ task_id: 'long' }, { task_id: 'never-was', agent_id: offer.agent_id.value }]);
    await eventually('two reconciliation answers', () => framework.updates.length >= before + 2);
    const answers = framework.updates.slice(before).map((u) => [u.task_id.value, u.state, u.reason]);
    expect(answers).to.deep.include(['long', 'TASK_RUNNING', 'REASON_RECONCILIATION']);
    expect(answers).to.deep.include(['never-was', 'TASK_GONE', 'REASON_RECONCILIATION']);
    await framework.driver.stop();
    await eventually('the torn-down framework\'s task is killed', () => cluster().master.process.state.frameworks.size === 0);
  });

  it('refuses invalid operations with TASK_ERROR or TASK_DROPPED and launches nothing', async () => {
    const framework = await new TestFramework(cluster()).start();
    const offer = await framework.takeOffer();
    framework.driver.launch(['no-such-offer'], [shellTask('dropped', offer, 'true')]);
    await framework.waitForState('dropped', 'TASK_DROPPED');
    framework.driver.launch([offer.id.value], [
      shellTask('too-big', offer, 'true', 'cpus:64;mem:32'),
      shellTask('empty', offer, '   '),
      shellTask('live', offer, 'sleep 600'),
    ], { refuse_seconds: 0 });
    const tooBig = await framework.waitForState('too-big', 'TASK_ERROR');
    expect(tooBig.message).to.match(/more than the offers have left/);
    expect((await framework.waitForState('empty', 'TASK_ERROR')).message).to.match(/command is empty/);
    await framework.waitForState('live', 'TASK_RUNNING');
    const next = await framework.takeOffer('an offer of the leftovers');
    framework.driver.launch([next.id.value], [shellTask('live', next, 'true')]);
    const duplicate = await framework.waitForState('live', 'TASK_ERROR');
    expect(duplicate.message).to.match(/already in use/);
    expect(framework.statesOf('too-big')).to.deep.equal(['TASK_ERROR']);
    await framework.driver.stop();
  });
});

describe('e2e: status updates are resent until acknowledged, and only until then', function () {
  this.timeout(60_000);
  const cluster = useCluster({ agents: 0 });

  it('resends an unacknowledged update with back-off and stops once it is acknowledged', async () => {
    const { startAgentService } = await import('../../src/services.js');
    const agent = await startAgentService(cluster().network, cluster().logger, { node: 'agent-r', workDir: cluster().workDir, resources: 'cpus:2;mem:512', statusUpdateRetryMinMs: 200 });
    cluster().agents.push(agent);
    const framework = await new TestFramework(cluster(), { name: 'explicit' }, { implicitAcknowledgements: false }).start();
    const offer = await framework.takeOffer();
    framework.driver.launch([offer.id.value], [shellTask('t', offer, 'true')]);
    // Unacknowledged, TASK_STARTING comes again (and the later updates wait behind it, in order).
    await eventually('TASK_STARTING resent', () => framework.statesOf('t').filter((s) => s === 'TASK_STARTING').length >= 3, 10_000);
    expect(framework.statesOf('t').every((s) => s === 'TASK_STARTING')).to.equal(true);
    const acked = new Set<string>();
    const ackAll = () => {
      for (const update of framework.updates) {
        if (update.uuid === undefined || acked.has(update.uuid)) continue;
        acked.add(update.uuid);
        framework.driver.acknowledge(offer.agent_id.value, 't', update.uuid);
      }
    };
    await eventually('every update acknowledged through TASK_FINISHED', () => {
      ackAll();
      return framework.statesOf('t').includes('TASK_FINISHED') && !agent.process.hasUnacknowledgedUpdates(framework.frameworkId);
    }, 10_000);
    const seen = framework.updates.length;
    // Nothing is left to resend: a reconciliation round trip (longer than a retry) brings only its answer.
    framework.driver.reconcile([{ task_id: 't' }]);
    await eventually('the reconciliation answer', () => framework.updates.length > seen);
    expect(framework.updates.slice(seen).map((u) => u.reason)).to.deep.equal(['REASON_RECONCILIATION']);
    await framework.driver.stop();
  });
});

describe('e2e: task groups', function () {
  this.timeout(60_000);
  const cluster = useCluster({ agents: 1 });

  it('runs a LAUNCH_GROUP in one executor, every task to TASK_FINISHED', async () => {
    const framework = await new TestFramework(cluster()).start();
    const offer = await framework.takeOffer();
    const executor = { executor_id: { value: 'group-1' }, type: 'DEFAULT' as const, framework_id: { value: framework.frameworkId } };
    framework.driver.launchGroup([offer.id.value], executor, [shellTask('g1', offer, 'echo one'), shellTask('g2', offer, 'echo two')]);
    await framework.waitForState('g1', 'TASK_FINISHED');
    await framework.waitForState('g2', 'TASK_FINISHED');
    expect(framework.updates.filter((u) => u.state === 'TASK_FINISHED').every((u) => u.executor_id?.value === 'group-1')).to.equal(true);
    await framework.driver.stop();
  });
});
