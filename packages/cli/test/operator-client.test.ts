import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { OperatorError } from '../src/operator-client/errors.js';
import { HttpClient } from '../src/operator-client/http-client.js';

// A tiny node:http fake, used only for what a real master does not do on demand: refuse, loop, answer garbage.

interface Fake {
  url: string;
  requests: { method: string; url: string; body: string }[];
  close(): Promise<void>;
}

async function fakeServer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Fake> {
  const requests: Fake['requests'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

/** A loopback port nothing listens on: one a server had and gave back. */
async function closedPort(): Promise<number> {
  const fake = await fakeServer(() => {});
  const port = Number(new URL(fake.url).port);
  await fake.close();
  return port;
}

async function failureOf(promise: Promise<unknown>): Promise<OperatorError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(OperatorError);
    return err as OperatorError;
  }
  throw new Error('expected the request to fail');
}

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/tessera.js');

describe('operator client: error paths', () => {
  const fakes: Fake[] = [];
  afterEach(async () => { for (const fake of fakes.splice(0)) await fake.close(); });

  it('names the address and "connection refused" when nothing listens', async () => {
    const port = await closedPort();
    const error = await failureOf(new HttpClient(`http://127.0.0.1:${port}`).getJson('/state'));
    expect(error.message).to.equal(`cannot reach http://127.0.0.1:${port}: connection refused`);
  });

  it('reports a 4xx with the error its JSON body names', async () => {
    const fake = await fakeServer((_req, res) => { res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: "unknown role 'nope'" })); });
    fakes.push(fake);
    const error = await failureOf(new HttpClient(fake.url).postJson('/api/v1', { type: 'UPDATE_WEIGHTS' }));
    expect(error.message).to.equal("POST /api/v1 UPDATE_WEIGHTS: 400 unknown role 'nope'");
    expect(error.status).to.equal(400);
  });

  it('reports a 404 whose body is not JSON by its text', async () => {
    const fake = await fakeServer((_req, res) => { res.writeHead(404).end('no such route'); });
    fakes.push(fake);
    const error = await failureOf(new HttpClient(fake.url).getJson('/nowhere'));
    expect(error.message).to.equal('GET /nowhere: 404 no such route');
  });

  it('says a bare 503 may mean no leading master', async () => {
    const fake = await fakeServer((_req, res) => { res.writeHead(503).end(); });
    fakes.push(fake);
    const error = await failureOf(new HttpClient(fake.url).getJson('/state'));
    expect(error.message).to.equal('GET /state: 503 Service Unavailable (no leading master yet?)');
  });

  it('ends a 307 loop between two masters with the path it went round, re-sending the POST body at each hop', async () => {
    let other = '';
    const a = await fakeServer((req, res) => { res.writeHead(307, { location: `${other}${req.url}` }).end(); });
    const b = await fakeServer((req, res) => { res.writeHead(307, { location: `${a.url}${req.url}` }).end(); });
    other = b.url;
    fakes.push(a, b);
    const error = await failureOf(new HttpClient(a.url).postJson('/api/v1', { type: 'GET_STATE' }));
    expect(error.message).to.equal(`redirect loop: ${a.url}/api/v1 -> ${b.url}/api/v1 -> ${a.url}/api/v1 (no master knows the leader)`);
    expect([...a.requests, ...b.requests].map((r) => `${r.method} ${r.body}`)).to.deep.equal(['POST {"type":"GET_STATE"}', 'POST {"type":"GET_STATE"}']);
  });

  it('gives up after maxRedirects hops without a loop', async () => {
    let hops = 0;
    const fake = await fakeServer((_req, res) => { hops += 1; res.writeHead(307, { location: `/state?hop=${hops}` }).end(); });
    fakes.push(fake);
    const error = await failureOf(new HttpClient(fake.url, { maxRedirects: 3 }).getJson('/state'));
    expect(error.message).to.equal(`more than 3 redirects from ${fake.url}`);
    expect(fake.requests).to.have.length(4);
  });

  it('refuses a 200 that is not JSON', async () => {
    const fake = await fakeServer((_req, res) => { res.writeHead(200).end('<html>'); });
    fakes.push(fake);
    const error = await failureOf(new HttpClient(fake.url).getJson('/state'));
    expect(error.message).to.equal('GET /state: the answer is not JSON: <html>');
  });

  it('tessera ps against a closed port: one line on stderr, exit code 1', async () => {
    const port = await closedPort();
    const run = spawnSync(process.execPath, [bin, 'ps', '--master', `127.0.0.1:${port}`], { encoding: 'utf8' });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.equal(`tessera: cannot reach http://127.0.0.1:${port}: connection refused\n`);
    expect(run.stdout).to.equal('');
  });

  it('tessera weights --set with a bad weight sends nothing and exits 1', async () => {
    const fake = await fakeServer((_req, res) => { res.writeHead(202).end(); });
    fakes.push(fake);
    const run = spawnSync(process.execPath, [bin, 'weights', '--master', fake.url, '--set', 'eng=2,ops=-1'], { encoding: 'utf8' });
    expect(run.status).to.equal(1);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
    expect(run.stderr).to.contain("'ops=-1' is not role=weight");
    expect(fake.requests).to.deep.equal([]);
  });
});
