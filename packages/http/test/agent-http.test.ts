import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { TestFramework, eventually, getJson, startHttpCluster, type HttpCluster } from './support.js';

describe('agent HTTP server', function () {
  this.timeout(30_000);
  let cluster: HttpCluster;
  let framework: TestFramework;
  let frameworkId: string;
  let sandbox: string;
  let base: string;

  before(async () => {
    cluster = await startHttpCluster();
    base = cluster.agentHttp.url;
    framework = new TestFramework(cluster.masterRuntime);
    frameworkId = (await framework.start()).frameworkId;
    framework.run('sleeper', 'echo hello from the sandbox; exec sleep 60');
    await framework.waitFor('sleeper', 'TASK_RUNNING');
    const state = (await getJson(`${base}/state`)).body;
    sandbox = state.frameworks[0].executors[0].directory;
  });

  after(async () => {
    await framework.stop();
    await cluster.stop();
  });

  it('answers /health with an empty 200 and allows any origin', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal('');
    expect(response.headers.get('access-control-allow-origin')).to.equal('*');
  });

  it('shows its state: id, HTTP port, resources, attributes, and the running task in its executor', async () => {
    const { status, body, headers } = await getJson(`${base}/state`);
    expect(status).to.equal(200);
    expect(headers.get('access-control-allow-origin')).to.equal('*');
    expect(body.id).to.equal(cluster.agent.id);
    expect(body.hostname).to.equal('127.0.0.1');
    expect(body.port).to.equal(cluster.agentHttp.port);
    expect(body.resources).to.include({ cpus: 4, mem: 1024, ports: '[31000-32000]' });
    expect(body.attributes).to.deep.equal({ rack: 'r1' });
    expect(body.flags.work_dir).to.equal(cluster.workDir);
    const [fw] = body.frameworks;
    expect(fw.id).to.equal(frameworkId);
    const [executor] = fw.executors;
    expect(executor.id).to.equal('sleeper');
    expect(executor.directory).to.equal(sandbox);
    expect(executor.tasks.map((t: any) => [t.id, t.state, t.slave_id])).to.deep.equal([['sleeper', 'TASK_RUNNING', cluster.agent.id]]);
  });

  it('measures the running task from /proc: CPU times, resident memory, its processes and its memory limit', async () => {
    const { status, body } = await getJson(`${base}/monitor/statistics`);
    expect(status).to.equal(200);
    const entry = body.find((e: any) => e.executor_id === 'sleeper');
    expect(entry.framework_id).to.equal(frameworkId);
    expect(entry.statistics.processes).to.be.at.least(1);
    expect(entry.statistics.mem_rss_bytes).to.be.above(0);
    expect(entry.statistics.mem_limit_bytes).to.equal(32 * 1024 * 1024);
    expect(entry.statistics.cpus_user_time_secs).to.be.at.least(0);
    expect(entry.statistics.timestamp).to.be.closeTo(Date.now() / 1000, 60);
  });

  it('serves its metrics by Mesos\'s names: registered, the running task and executor, resources given out', async () => {
    const { status, body } = await getJson(`${base}/metrics/snapshot`);
    expect(status).to.equal(200);
    expect(body).to.include({ 'slave/registered': 1, 'slave/tasks_running': 1, 'slave/executors_running': 1, 'slave/cpus_total': 4, 'slave/mem_total': 1024 });
    expect(body['slave/mem_used']).to.be.above(0);
    expect(body['slave/uptime_secs']).to.be.at.least(0);
    expect(body).to.have.property('gc/path_removals_pending');
    expect(body).to.have.property('containerizer/fetcher/task_fetches_failed', 0);
  });

  it('browses a sandbox', async () => {
    // RUNNING comes as the task starts; its line may land in stdout a moment later.
    const file = encodeURIComponent(path.join(sandbox, 'stdout'));
    await eventually('the task wrote its line', async () => (await getJson(`${base}/files/read?path=${file}`)).body.data.includes('hello from the sandbox'));
    const { status, body } = await getJson(`${base}/files/browse?path=${encodeURIComponent(sandbox)}`);
    expect(status).to.equal(200);
    const stdout = body.find((e: any) => e.path === path.join(sandbox, 'stdout'));
    expect(stdout.mode).to.match(/^-rw/);
    expect(stdout.size).to.be.above(0);
    expect(stdout).to.have.keys('path', 'size', 'mode', 'mtime', 'nlink', 'uid', 'gid');
  });

  it('reads a file whole, from an offset with a length, and its size alone with offset -1', async () => {
    const file = encodeURIComponent(path.join(sandbox, 'stdout'));
    await eventually('the task wrote its line', async () => (await getJson(`${base}/files/read?path=${file}`)).body.data.includes('hello from the sandbox'));
    const whole = (await getJson(`${base}/files/read?path=${file}`)).body;
    expect(whole.offset).to.equal(0);
    const part = (await getJson(`${base}/files/read?path=${file}&offset=6&length=4`)).body;
    expect(part).to.deep.equal({ data: whole.data.slice(6, 10), offset: 6 });
    const size = (await getJson(`${base}/files/read?path=${file}&offset=-1`)).body;
    expect(size).to.deep.equal({ data: '', offset: Buffer.byteLength(whole.data) });
  });

  it('reads through the virtual path /frameworks/<fw>/executors/<ex>/runs/latest', async () => {
    const virtual = `/frameworks/${frameworkId}/executors/sleeper/runs/latest/stdout`;
    const { status, body } = await getJson(`${base}/files/read?path=${encodeURIComponent(virtual)}`);
    expect(status).to.equal(200);
    expect(body.data).to.include('hello from the sandbox');
  });

  it('downloads a file as bytes', async () => {
    const response = await fetch(`${base}/files/download?path=${encodeURIComponent(path.join(sandbox, 'stdout'))}`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('application/octet-stream');
    expect(response.headers.get('content-disposition')).to.equal('attachment; filename="stdout"');
    expect(Buffer.from(await response.arrayBuffer()).toString()).to.include('hello from the sandbox');
  });

  describe('refuses paths outside every sandbox', () => {
    it('with .. walking out of a sandbox (403)', async () => {
      const escape = `${sandbox}/../../../../../../../../../../etc/passwd`;
      for (const endpoint of ['browse', 'read', 'download']) {
        const { status, body } = await getJson(`${base}/files/${endpoint}?path=${encodeURIComponent(escape)}`);
        expect(status, endpoint).to.equal(403);
        expect(body.error).to.match(/outside every sandbox/);
      }
    });

    it('with an absolute path elsewhere, even in the agent\'s own work directory (403)', async () => {
      for (const outside of ['/etc/passwd', cluster.workDir, path.join(cluster.workDir, 'agents', cluster.agent.id!, 'frameworks', frameworkId)]) {
        const { status } = await getJson(`${base}/files/read?path=${encodeURIComponent(outside)}`);
        expect(status, outside).to.equal(403);
      }
    });

    it('through a symlink in the sandbox that points out of it (403)', async () => {
      symlinkSync('/etc', path.join(sandbox, 'etc-link'));
      symlinkSync('/etc/passwd', path.join(sandbox, 'passwd-link'));
      const viaDir = await getJson(`${base}/files/read?path=${encodeURIComponent(path.join(sandbox, 'etc-link', 'passwd'))}`);
      expect(viaDir.status).to.equal(403);
      expect(viaDir.body.error).to.match(/leads outside every sandbox/);
      const viaFile = await getJson(`${base}/files/download?path=${encodeURIComponent(path.join(sandbox, 'passwd-link'))}`);
      expect(viaFile.status).to.equal(403);
      const browseDir = await getJson(`${base}/files/browse?path=${encodeURIComponent(path.join(sandbox, 'etc-link'))}`);
      expect(browseDir.status).to.equal(403);
    });

    it('but follows a symlink that stays inside the sandbox', async () => {
      mkdirSync(path.join(sandbox, 'data'));
      writeFileSync(path.join(sandbox, 'data', 'x.txt'), 'inside');
      symlinkSync('data/x.txt', path.join(sandbox, 'x-link'));
      const { status, body } = await getJson(`${base}/files/read?path=${encodeURIComponent(path.join(sandbox, 'x-link'))}`);
      expect(status).to.equal(200);
      expect(body.data).to.equal('inside');
    });
  });

  describe('bad input', () => {
    const bad: [string, number, RegExp][] = [
      ['/files/read', 400, /must have required property 'path'/],
      ['/files/read?path=relative/stdout', 400, /not absolute/],
      ['/files/read?path=%2Ftmp&offset=abc', 400, /offset must be integer/],
      ['/files/read?path=%2Ftmp&offset=-2', 400, /offset must be >= -1/],
      ['/files/read?path=%2Ftmp&length=-1', 400, /length must be >= 0/],
      ['/files/browse?path=%2Ftmp&bogus=1', 400, /must NOT have additional properties/],
      ['/files/download', 400, /must have required property 'path'/],
      ['/no-such-endpoint', 404, /no such endpoint/],
    ];
    for (const [url, status, error] of bad) {
      it(`${url} → ${status}`, async () => {
        const answer = await getJson(`${base}${url}`);
        expect(answer.status).to.equal(status);
        expect(answer.body.error).to.match(error);
      });
    }

    it('a missing file in a sandbox is a 404', async () => {
      const { status, body } = await getJson(`${base}/files/read?path=${encodeURIComponent(path.join(sandbox, 'nope'))}`);
      expect(status).to.equal(404);
      expect(body.error).to.match(/no such file/);
    });

    it('reading a directory is a 400', async () => {
      const { status, body } = await getJson(`${base}/files/read?path=${encodeURIComponent(sandbox)}`);
      expect(status).to.equal(400);
      expect(body.error).to.match(/directory/);
    });

    it('POST on a GET endpoint is a 405 naming the method to use', async () => {
      const { status, body, headers } = await getJson(`${base}/state`, { method: 'POST' });
      expect(status).to.equal(405);
      expect(headers.get('allow')).to.equal('GET');
      expect(body.error).to.match(/POST is not allowed on \/state/);
    });

    it('an Accept without JSON is a 406', async () => {
      const { status, body } = await getJson(`${base}/state`, { headers: { Accept: 'text/html' } });
      expect(status).to.equal(406);
      expect(body.error).to.match(/application\/json/);
    });
  });

  it('keeps a finished task under its completed executor, its sandbox still readable', async () => {
    framework.run('short', 'echo done-and-gone');
    expect(await framework.waitEnded('short')).to.equal('TASK_FINISHED');
    await eventually('the agent lists the finished task as completed', async () => {
      const state = (await getJson(`${base}/state`)).body;
      const executors = [...state.frameworks, ...state.completed_frameworks].flatMap((f: any) => [...f.executors, ...f.completed_executors]);
      return executors.some((e: any) => e.id === 'short' && e.completed_tasks.some((t: any) => t.id === 'short' && t.state === 'TASK_FINISHED'));
    });
    const { body } = await getJson(`${base}/files/read?path=${encodeURIComponent(`/frameworks/${frameworkId}/executors/short/runs/latest/stdout`)}`);
    expect(body.data).to.include('done-and-gone');
  });
});
