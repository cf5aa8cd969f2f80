import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UriFetcher, type FetchRequest } from '../src/index.js';
import { FileServer, fetchRequest, makeArchives } from './fetcher-support.js';
import { tempDir } from './os-support.js';

describe('fetcher', () => {
  let root: string;
  let files: string;
  let server: FileServer;
  let base: string;
  let sandboxes = 0;

  before(async () => {
    root = tempDir('tessera-fetch-');
    files = path.join(root, 'files');
    mkdirSync(files);
    writeFileSync(path.join(files, 'hello.txt'), 'hello from a file\n');
    makeArchives(files, 'bundle', { 'bin/run.sh': '#!/bin/sh\necho run\n', 'conf/app.conf': 'port=8080\n' });
    server = new FileServer();
    server.serve('/hello.txt', 'hello over http\n');
    server.serve('/tool.sh', '#!/bin/sh\necho tool\n');
    for (const name of ['bundle.tar.gz', 'bundle.tar.bz2', 'bundle.tar.xz', 'bundle.zip']) server.serve(`/${name}`, readFileSync(path.join(files, name)));
    for (const name of ['a', 'b', 'c']) server.serve(`/${name}.bin`, Buffer.alloc(100, name));
    base = await server.start();
  });

  after(async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** A new, empty sandbox. */
  function sandbox(): string {
    const dir = path.join(root, 'sandboxes', String(++sandboxes));
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  function fetcher(options: { cacheSizeBytes?: number; maxDownloadBytes?: number } = {}): UriFetcher {
    return new UriFetcher({ cacheDir: path.join(root, `cache-${++sandboxes}`), ...options });
  }

  function run(f: UriFetcher, request: FetchRequest, signal = new AbortController().signal): Promise<void> {
    const fetching = f.fetch(request, signal);
    if (fetching === undefined) throw new Error('nothing to fetch');
    return fetching;
  }

  it('has nothing to do for a launch without URIs (the launch goes on synchronously)', () => {
    expect(fetcher().fetch(fetchRequest(sandbox(), []), new AbortController().signal)).to.equal(undefined);
  });

  it('copies a local file by absolute path and by file:// URL', async () => {
    const dir = sandbox();
    const local = path.join(files, 'hello.txt');
    await run(fetcher(), fetchRequest(dir, [{ value: local }, { value: pathToFileURL(local).href, output_file: 'again.txt' }]));
    expect(readFileSync(path.join(dir, 'hello.txt'), 'utf8')).to.equal('hello from a file\n');
    expect(readFileSync(path.join(dir, 'again.txt'), 'utf8')).to.equal('hello from a file\n');
  });

  it('downloads over http, following redirects, under output_file (directories made)', async () => {
    const dir = sandbox();
    await run(fetcher(), fetchRequest(dir, [{ value: `${base}/redirect/hello.txt`, output_file: 'etc/greeting' }]));
    expect(readFileSync(path.join(dir, 'etc', 'greeting'), 'utf8')).to.equal('hello over http\n');
    expect(server.count('/redirect/hello.txt')).to.be.greaterThan(0);
    // The fetcher's lines go to the sandbox's stderr, as Mesos's fetcher logs.
    const log = readFileSync(path.join(dir, 'stderr'), 'utf8');
    expect(log).to.include(`fetcher: Fetching URI '${base}/redirect/hello.txt'`);
    expect(log).to.include(`fetcher: Successfully fetched all URIs into '${dir}'`);
  });

  it('makes a file executable when asked, and only then', async () => {
    const dir = sandbox();
    await run(fetcher(), fetchRequest(dir, [{ value: `${base}/tool.sh`, executable: true }, { value: `${base}/hello.txt` }]));
    expect(statSync(path.join(dir, 'tool.sh')).mode & 0o777).to.equal(0o755);
    expect(statSync(path.join(dir, 'hello.txt')).mode & 0o111).to.equal(0);
  });

  for (const name of ['bundle.tar.gz', 'bundle.tar.bz2', 'bundle.tar.xz', 'bundle.zip']) {
    it(`extracts ${name} into the sandbox, keeping the archive (as Mesos does without the cache)`, async () => {
      const dir = sandbox();
      await run(fetcher(), fetchRequest(dir, [{ value: `${base}/${name}` }]));
      expect(readFileSync(path.join(dir, 'bin', 'run.sh'), 'utf8')).to.equal('#!/bin/sh\necho run\n');
      expect(readFileSync(path.join(dir, 'conf', 'app.conf'), 'utf8')).to.equal('port=8080\n');
      expect(existsSync(path.join(dir, name))).to.equal(true);
    });
  }

  it('does not extract when extract is false, nor when executable is set', async () => {
    const dir = sandbox();
    await run(fetcher(), fetchRequest(dir, [{ value: `${base}/bundle.tar.gz`, extract: false }, { value: path.join(files, 'bundle.zip'), executable: true }]));
    expect(readdirSync(dir).sort()).to.deep.equal(['bundle.tar.gz', 'bundle.zip', 'stderr', 'stdout']);
    expect(statSync(path.join(dir, 'bundle.zip')).mode & 0o777).to.equal(0o755);
  });

  it('takes a cached URI from the cache the second time (counted as a hit), also for an archive', async () => {
    const f = fetcher();
    const uris = [{ value: `${base}/a.bin`, cache: true }, { value: `${base}/bundle.zip`, cache: true }];
    const before = { a: server.count('/a.bin'), zip: server.count('/bundle.zip') };
    const first = sandbox();
    await run(f, fetchRequest(first, uris));
    const second = sandbox();
    await run(f, fetchRequest(second, uris));
    expect(server.count('/a.bin') - before.a).to.equal(1);
    expect(server.count('/bundle.zip') - before.zip).to.equal(1);
    expect(f.stats()).to.deep.include({ hits: 2, misses: 2, entries: 2, fetchesSucceeded: 2, fetchesFailed: 0 });
    expect(readFileSync(path.join(second, 'a.bin'))).to.deep.equal(Buffer.alloc(100, 'a'));
    expect(readFileSync(path.join(second, 'conf', 'app.conf'), 'utf8')).to.equal('port=8080\n');
    // As Mesos: an archive from the cache is extracted, not copied.
    expect(existsSync(path.join(second, 'bundle.zip'))).to.equal(false);
    expect(readFileSync(path.join(second, 'stderr'), 'utf8')).to.include('fetcher: Fetching from the cache');
  });

  it('downloads a URI once for concurrent fetches of it', async () => {
    const f = fetcher();
    const before = server.count('/b.bin');
    await Promise.all([1, 2, 3].map(() => run(f, fetchRequest(sandbox(), [{ value: `${base}/b.bin`, cache: true }]))));
    expect(server.count('/b.bin') - before).to.equal(1);
    expect(f.stats()).to.deep.include({ hits: 2, misses: 1 });
  });

  it('evicts the least recently used file when the cache is full, and downloads it again when asked', async () => {
    // Room for two 100-byte files.
    const f = fetcher({ cacheSizeBytes: 250 });
    const before = { a: server.count('/a.bin'), b: server.count('/b.bin'), c: server.count('/c.bin') };
    for (const name of ['a', 'b', 'a', 'c']) await run(f, fetchRequest(sandbox(), [{ value: `${base}/${name}.bin`, cache: true }]));
    // c pushed out b (a was used more recently); b comes from the server again, a does not.
    await run(f, fetchRequest(sandbox(), [{ value: `${base}/b.bin`, cache: true }]));
    await run(f, fetchRequest(sandbox(), [{ value: `${base}/c.bin`, cache: true }]));
    expect(server.count('/a.bin') - before.a).to.equal(1);
    expect(server.count('/b.bin') - before.b).to.equal(2);
    expect(server.count('/c.bin') - before.c).to.equal(1);
    expect(f.stats()).to.deep.include({ entries: 2, usedBytes: 200, capacityBytes: 250 });
  });

  it('fetches a file bigger than the cache without keeping it', async () => {
    const f = fetcher({ cacheSizeBytes: 50 });
    const dir = sandbox();
    await run(f, fetchRequest(dir, [{ value: `${base}/c.bin`, cache: true }]));
    expect(readFileSync(path.join(dir, 'c.bin'))).to.have.length(100);
    expect(f.stats()).to.deep.include({ entries: 0, usedBytes: 0 });
    expect(readdirSync(path.join(root, `cache-${sandboxes - 1}`, 'agents', 'S0'))).to.deep.equal([]);
  });

  it('fails with a message naming the URI and the HTTP status on a 404, logged in the sandbox', async () => {
    const f = fetcher();
    const dir = sandbox();
    const error = await run(f, fetchRequest(dir, [{ value: `${base}/missing.tgz` }])).then(() => undefined, (e: Error) => e);
    expect(error?.message).to.equal(`Failed to fetch URI '${base}/missing.tgz' for container 'run-1': received HTTP status 404 Not Found`);
    expect(readFileSync(path.join(dir, 'stderr'), 'utf8')).to.include(`fetcher: Failed to fetch '${base}/missing.tgz': received HTTP status 404 Not Found`);
    expect(existsSync(path.join(dir, 'missing.tgz'))).to.equal(false);
    expect(f.stats()).to.deep.include({ fetchesFailed: 1 });
  });

  it('refuses a file over the size cap, by its Content-Length, and leaves no partial file', async () => {
    const dir = sandbox();
    const error = await run(fetcher({ maxDownloadBytes: 99 }), fetchRequest(dir, [{ value: `${base}/a.bin` }])).then(() => undefined, (e: Error) => e);
    expect(error?.message).to.match(/over the fetcher's size cap \(100 bytes > 99 bytes\)$/);
    expect(existsSync(path.join(dir, 'a.bin'))).to.equal(false);
  });

  it('refuses a missing local file, a relative path, other schemes and an output file outside the sandbox', async () => {
    const cases: [object, RegExp][] = [
      [{ value: path.join(files, 'nope') }, /ENOENT/],
      [{ value: 'relative/file' }, /a relative path needs a frameworks home/],
      [{ value: 'ftp://example.com/x' }, /unsupported scheme 'ftp'/],
      [{ value: `${base}/hello.txt`, output_file: '../escape' }, /output file '..\/escape' is outside the sandbox/],
      [{ value: `${base}/hello.txt`, output_file: '/etc/x' }, /must be relative to the sandbox/],
      [{ value: `${base}/` }, /no file name in its path/],
    ];
    for (const [uri, pattern] of cases) {
      const error = await run(fetcher(), fetchRequest(sandbox(), [uri as { value: string }])).then(() => undefined, (e: Error) => e);
      expect(error?.message, JSON.stringify(uri)).to.match(pattern);
    }
  });

  it('stops a download when aborted (the run ended)', async () => {
    const abort = new AbortController();
    const dir = sandbox();
    const fetching = run(fetcher(), fetchRequest(dir, [{ value: `${base}/stall` }]), abort.signal);
    const outcome = fetching.then(() => 'done', (e: Error) => e.message);
    // Aborted once the server has started answering: the body never ends otherwise.
    while (server.count('/stall') === 0) await new Promise((resolve) => setImmediate(resolve));
    abort.abort();
    expect(await outcome).to.equal(`Failed to fetch URI '${base}/stall' for container 'run-1': aborted`);
  });
});
