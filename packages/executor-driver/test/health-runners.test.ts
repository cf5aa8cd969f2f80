import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { commandCheck } from '../src/health/command-check.js';
import { httpCheck } from '../src/health/http-check.js';
import { tcpCheck } from '../src/health/tcp-check.js';
import { eventually, freePort, isAlive, RecordingLauncher, Sandboxes } from './support.js';

const sandboxes = new Sandboxes();
const launcher = new RecordingLauncher();
const servers: (http.Server | net.Server)[] = [];

afterEach(async () => {
  launcher.killAll();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  await sandboxes.removeAll();
});

const never = () => new AbortController().signal;

async function listen<S extends http.Server | net.Server>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('health check runners (real processes and sockets)', () => {
  describe('COMMAND', () => {
    async function check(value: string, env: Record<string, string> = {}) {
      const dir = await sandboxes.make();
      return { dir, run: commandCheck({ value }, { launcher, cwd: dir, env, logPath: path.join(dir, 'stderr') }) };
    }

    it("is healthy when the command exits 0; runs in the sandbox, in the task's environment under its own variables", async () => {
      const dir = await sandboxes.make();
      const command = {
        value: 'echo "$PWD $TASK_ONLY $BOTH"; test "$PWD" = "$SANDBOX"',
        environment: { variables: [{ name: 'BOTH', value: 'from-check' }] },
      };
      const run = commandCheck(command, { launcher, cwd: dir, env: { SANDBOX: dir, TASK_ONLY: 'from-task', BOTH: 'from-task' }, logPath: path.join(dir, 'stderr') });
      expect(await run(never())).to.deep.equal({ healthy: true, message: 'the health check command exited with status 0' });
      // Its output goes to the sandbox's stderr, as Mesos's executor writes check output to its own stderr.
      expect(await readFile(path.join(dir, 'stderr'), 'utf8')).to.equal(`${dir} from-task from-check\n`);
    });

    it('is unhealthy when the command exits non-zero, naming the status', async () => {
      const { run } = await check('exit 3');
      expect(await run(never())).to.deep.equal({ healthy: false, message: 'the health check command exited with status 3' });
    });

    it("kills the check's whole process group when aborted at its timeout", async () => {
      const { dir, run } = await check('sleep 600 & echo $! > child; wait');
      const controller = new AbortController();
      const outcome = run(controller.signal);
      let child = 0;
      await eventually('the check started its child', async () => {
        child = Number(await readFile(path.join(dir, 'child'), 'utf8').catch(() => '0'));
        return child > 0;
      });
      controller.abort();
      expect(await outcome).to.deep.equal({ healthy: false, message: 'the health check command was terminated by signal SIGKILL' });
      await eventually('the check\'s child is gone', async () => !(await isAlive(child)));
    });

    it('is unhealthy when the command cannot start', async () => {
      const dir = await sandboxes.make();
      const run = commandCheck({ value: '/no/such/program', shell: false }, { launcher, cwd: dir, env: {}, logPath: path.join(dir, 'stderr') });
      const outcome = await run(never());
      expect(outcome.healthy).to.equal(false);
      expect(outcome.message).to.match(/could not start: .*ENOENT/);
    });
  });

  describe('HTTP', () => {
    it('is healthy on 200-399 by default and unhealthy on other statuses, naming them', async () => {
      let status = 200;
      const paths: string[] = [];
      const port = await listen(http.createServer((req, res) => { paths.push(req.url!); res.statusCode = status; res.end('body'); }));
      const run = httpCheck({ type: 'HTTP', scheme: 'http', host: '127.0.0.1', port, path: '/health?x=1', statuses: undefined });
      expect(await run(never())).to.deep.equal({ healthy: true, message: `GET http://127.0.0.1:${port}/health?x=1 answered 200 (healthy: 200-399)` });
      status = 302;
      expect((await run(never())).healthy).to.equal(true);
      status = 503;
      expect(await run(never())).to.deep.equal({ healthy: false, message: `GET http://127.0.0.1:${port}/health?x=1 answered 503 (healthy: 200-399)` });
      expect(paths).to.deep.equal(['/health?x=1', '/health?x=1', '/health?x=1']);
    });

    it('follows redirects as Mesos (curl -L) and judges the last status; gives up on a loop', async () => {
      const port = await listen(http.createServer((req, res) => {
        const to = { '/old': '/health', '/moved': `http://127.0.0.1:${req.socket.localPort}/sick`, '/loop': '/loop' }[req.url!];
        if (to !== undefined) {
          res.writeHead(302, { location: to });
          res.end();
          return;
        }
        res.statusCode = req.url === '/health' ? 200 : 503;
        res.end();
      }));
      const check = (p: string) => httpCheck({ type: 'HTTP', scheme: 'http', host: '127.0.0.1', port, path: p, statuses: undefined })(never());
      expect(await check('/old')).to.deep.equal({ healthy: true, message: `GET http://127.0.0.1:${port}/old answered 200 (redirected to http://127.0.0.1:${port}/health) (healthy: 200-399)` });
      expect((await check('/moved')).healthy).to.equal(false);
      expect(await check('/loop')).to.deep.equal({ healthy: false, message: `GET http://127.0.0.1:${port}/loop was redirected more than 10 times` });
    });

    it('takes only the statuses listed when the check lists them', async () => {
      let status = 200;
      const port = await listen(http.createServer((_req, res) => { res.statusCode = status; res.end(); }));
      const run = httpCheck({ type: 'HTTP', scheme: 'http', host: '127.0.0.1', port, path: '/', statuses: [204, 418] });
      expect((await run(never())).healthy).to.equal(false);
      status = 418;
      expect((await run(never())).healthy).to.equal(true);
    });

    it('is unhealthy when nothing listens', async () => {
      const port = await freePort();
      const outcome = await httpCheck({ type: 'HTTP', scheme: 'http', host: '127.0.0.1', port, path: '/', statuses: undefined })(never());
      expect(outcome).to.deep.equal({ healthy: false, message: `GET http://127.0.0.1:${port}/ failed: ECONNREFUSED` });
    });

    it('gives up the request when aborted (a server that never answers)', async () => {
      const port = await listen(http.createServer(() => { /* never answers */ }));
      const controller = new AbortController();
      const outcome = httpCheck({ type: 'HTTP', scheme: 'http', host: '127.0.0.1', port, path: '/', statuses: undefined })(controller.signal);
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      expect((await outcome).healthy).to.equal(false);
    });
  });

  describe('TCP', () => {
    it('is healthy when a connection opens, unhealthy when it is refused', async () => {
      const server = net.createServer((socket) => socket.destroy());
      const port = await listen(server);
      expect(await tcpCheck({ host: '127.0.0.1', port })(never())).to.deep.equal({ healthy: true, message: `TCP connection to 127.0.0.1:${port} opened` });
      await new Promise((resolve) => server.close(resolve));
      expect(await tcpCheck({ host: '127.0.0.1', port })(never())).to.deep.equal({ healthy: false, message: `TCP connection to 127.0.0.1:${port} failed: ECONNREFUSED` });
    });
  });
});
