import { expect } from 'chai';
import { CommandFramework, startOperatorCluster, tessera, type OperatorCluster } from './operator-cluster.js';

describe('operator CLI: ps, agents, frameworks, cat and tail against a real cluster', function () {
  this.timeout(60_000);
  let cluster: OperatorCluster;
  let framework: CommandFramework;
  let master: string;

  before(async () => {
    cluster = await startOperatorCluster();
    master = cluster.masterHttp.url;
    framework = await new CommandFramework(cluster.masterRuntime, 'ops-web').start();
    framework.run('sleeper', 'sleep 60');
    framework.run('counter', 'seq 1 20000');
    await framework.waitFor('sleeper', 'TASK_RUNNING');
    await framework.waitFor('counter', 'TASK_FINISHED');
  });
  after(async () => {
    await framework?.stop();
    await cluster?.stop();
  });

  it('tessera ps lists the live task with its framework, state, agent and resources', async () => {
    const run = await tessera('ps', '--master', master);
    expect(run.code, run.stderr).to.equal(0);
    const [header, ...lines] = run.stdout.trimEnd().split('\n');
    expect(header!.split(/\s+/)).to.deep.equal(['FRAMEWORK', 'TASK', 'NAME', 'STATE', 'AGENT', 'CPUS', 'MEM']);
    expect(lines.map((l) => l.split(/\s+/))).to.deep.equal([['ops-web', 'sleeper', 'sleeper', 'TASK_RUNNING', '127.0.0.1', '0.1', '32']]);
  });

  it('tessera ps --all --json includes the finished task; --state filters', async () => {
    const all = await tessera('ps', '--master', master, '--all', '--json');
    expect(all.code, all.stderr).to.equal(0);
    const rows = JSON.parse(all.stdout) as { id: string; state: string; framework_id: string }[];
    expect(rows.map((r) => [r.id, r.state])).to.have.deep.members([['sleeper', 'TASK_RUNNING'], ['counter', 'TASK_FINISHED']]);
    expect(rows.every((r) => r.framework_id === framework.frameworkId)).to.equal(true);
    const finished = await tessera('ps', '--master', master, '--state', 'finished', '--json');
    expect((JSON.parse(finished.stdout) as { id: string }[]).map((r) => r.id)).to.deep.equal(['counter']);
  });

  it('tessera agents shows the agent with its HTTP port and used of total resources', async () => {
    const run = await tessera('agents', '--master', master);
    expect(run.code, run.stderr).to.equal(0);
    const line = run.stdout.trimEnd().split('\n')[1]!.split(/\s+/);
    expect(line).to.deep.equal([cluster.agent.id, '127.0.0.1', String(cluster.agentHttp.port), 'yes', '1', '0.1/4', '32/1024', '0/1024']);
  });

  it('tessera frameworks shows the framework, and --json its view', async () => {
    const run = await tessera('frameworks', '--master', master);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout.trimEnd().split('\n')[1]!.split(/\s+/).slice(0, 6)).to.deep.equal([framework.frameworkId, 'ops-web', '*', 'yes', 'yes', '1']);
    const json = JSON.parse((await tessera('frameworks', '--master', master, '--json')).stdout) as { id: string; name: string }[];
    expect(json.map((f) => [f.id, f.name])).to.deep.equal([[framework.frameworkId, 'ops-web']]);
  });

  it('tessera cat prints a sandbox file of more than one chunk, whole', async () => {
    const run = await tessera('cat', '--master', master, 'counter', 'stdout');
    expect(run.code, run.stderr).to.equal(0);
    const expected = Array.from({ length: 20000 }, (_, i) => `${i + 1}\n`).join('');
    expect(run.stdout.length).to.be.greaterThan(64 * 1024);
    expect(run.stdout).to.equal(expected);
  });

  it('tessera tail prints the last lines, 10 by default', async () => {
    const three = await tessera('tail', '--master', master, 'counter', '-n', '3');
    expect(three.code, three.stderr).to.equal(0);
    expect(three.stdout).to.equal('19998\n19999\n20000\n');
    const ten = await tessera('tail', '--master', master, 'count');
    expect(ten.stdout.split('\n').filter(Boolean)).to.have.length(10);
  });

  it('tessera tail -f follows a task\'s stdout until the task ends, then exits by itself', async () => {
    framework.run('ticker', 'for i in 1 2 3 4 5; do echo tick $i; sleep 0.3; done');
    await framework.waitFor('ticker', 'TASK_RUNNING');
    const run = await tessera('tail', '--master', master, 'ticker', '-f', '-n', '100');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n');
    expect(framework.latest('ticker')).to.equal('TASK_FINISHED');
  });

  it('a standby master redirects the CLI to the leader (ps and a v1 call), 307 followed', async () => {
    const standby = await cluster.startStandby();
    const ps = await tessera('ps', '--master', standby.url, '--json');
    expect(ps.code, ps.stderr).to.equal(0);
    expect((JSON.parse(ps.stdout) as { id: string }[]).map((r) => r.id)).to.include('sleeper');
    const weights = await tessera('weights', '--master', standby.url, '--set', 'via-standby=3');
    expect([weights.code, weights.stdout], weights.stderr).to.deep.equal([0, 'weights set: via-standby=3\n']);
  });

  it('cat of an unknown task or a file the sandbox lacks: one line, exit code 1', async () => {
    const unknown = await tessera('cat', '--master', master, 'nope', 'stdout');
    expect([unknown.code, unknown.stderr]).to.deep.equal([1, "tessera: no task 'nope' on this master\n"]);
    const missing = await tessera('cat', '--master', master, 'counter', 'no-such-file');
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^tessera: GET \/files\/read: 404 .*\n$/);
  });
});
