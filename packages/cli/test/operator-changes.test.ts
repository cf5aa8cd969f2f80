import { expect } from 'chai';
import { MasterClient } from '../src/operator-client/master-client.js';
import { CommandFramework, startOperatorCluster, tessera, type OperatorCluster } from './operator-cluster.js';

describe('operator CLI: weights, quota, teardown and drain against a real cluster', function () {
  this.timeout(60_000);
  let cluster: OperatorCluster;
  let master: string;

  before(async () => {
    cluster = await startOperatorCluster();
    master = cluster.masterHttp.url;
  });
  after(async () => {
    await cluster?.stop();
  });

  it('tessera weights --set stores weights that tessera weights then shows', async () => {
    const set = await tessera('weights', '--master', master, '--set', 'eng=2,ops=0.5');
    expect([set.code, set.stdout], set.stderr).to.deep.equal([0, 'weights set: eng=2, ops=0.5\n']);
    const show = await tessera('weights', '--master', master);
    expect(show.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/))).to.deep.equal([['ROLE', 'WEIGHT'], ['eng', '2'], ['ops', '0.5']]);
    const json = JSON.parse((await tessera('weights', '--master', master, '--json')).stdout) as unknown;
    expect(json).to.deep.equal([{ role: 'eng', weight: 2 }, { role: 'ops', weight: 0.5 }]);
  });

  it('tessera quota ROLE --set, show and --remove', async () => {
    const set = await tessera('quota', 'eng', '--master', master, '--set', 'cpus:2;mem:256', '--guarantee', 'cpus:1');
    expect(set.code, set.stderr).to.equal(0);
    expect(set.stdout).to.equal('quota of eng: limits cpus:2;mem:256, guarantees cpus:1\n');
    const show = await tessera('quota', '--master', master);
    expect(show.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/))).to.deep.equal([['ROLE', 'GUARANTEES', 'LIMITS'], ['eng', 'cpus:1', 'cpus:2;mem:256']]);
    const removed = await tessera('quota', 'eng', '--master', master, '--remove');
    expect([removed.code, removed.stdout], removed.stderr).to.deep.equal([0, 'quota of eng removed\n']);
    expect((await tessera('quota', '--master', master, '--json')).stdout).to.equal('[]\n');
  });

  it('a guarantee above the limit is refused before anything is sent', async () => {
    const run = await tessera('quota', 'eng', '--master', master, '--set', 'cpus:1', '--guarantee', 'cpus:2');
    expect([run.code, run.stderr]).to.deep.equal([1, 'tessera quota: the guarantee of cpus (2) is above its limit (1)\n']);
    expect((await tessera('quota', '--master', master, '--json')).stdout).to.equal('[]\n');
  });

  it('tessera teardown FRAMEWORK (by name) kills its tasks and removes it', async () => {
    const framework = await new CommandFramework(cluster.masterRuntime, 'doomed').start();
    framework.run('doomed-1', 'sleep 60');
    await framework.waitFor('doomed-1', 'TASK_RUNNING');
    const run = await tessera('teardown', 'doomed', '--master', master);
    expect([run.code, run.stdout], run.stderr).to.deep.equal([0, `framework ${framework.frameworkId} (doomed) torn down: 1 task(s) killed\n`]);
    const state = await new MasterClient(master).state();
    expect(state.frameworks.map((f) => f.id)).to.not.include(framework.frameworkId);
    const again = await tessera('teardown', framework.frameworkId, '--master', master);
    expect([again.code, again.stderr]).to.deep.equal([1, `tessera: framework '${framework.frameworkId}' has already ended\n`]);
    await framework.stop();
  });

  it('tessera drain AGENT shows the tasks left until none is', async () => {
    const framework = await new CommandFramework(cluster.masterRuntime, 'drained').start();
    framework.run('drained-1', 'sleep 60');
    framework.run('drained-2', 'sleep 60');
    await framework.waitFor('drained-1', 'TASK_RUNNING');
    await framework.waitFor('drained-2', 'TASK_RUNNING');
    const run = await tessera('drain', '127.0.0.1', '--master', master, '--grace', '0.2');
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).to.equal(`draining agent ${cluster.agent.id} (127.0.0.1)`);
    expect(lines.at(-2)).to.equal('  0 task(s) left');
    expect(lines.at(-1)).to.equal(`agent ${cluster.agent.id} drained`);
    expect(await framework.waitEnded('drained-1')).to.equal('TASK_KILLED');
    await framework.stop();
  });
});
