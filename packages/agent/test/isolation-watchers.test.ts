import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock, memoryLogger, type Logger } from '@tessera/process';
import type { Resource } from '@tessera/protocol';
import { ContainerProcesses } from '../src/isolation/container-processes.js';
import { DiskDuIsolator } from '../src/isolation/disk-du.js';
import { parseDuOutput } from '../src/isolation/du.js';
import type { ContainerSpec, HostCapabilities } from '../src/isolation/index.js';
import { parseListeningSockets, socketInode } from '../src/isolation/listening-sockets.js';
import { NetworkPortsIsolator } from '../src/isolation/network-ports.js';

// disk/du and network/ports on a ManualClock, with a fake `du` and a fake /proc: when they
// measure, what they report, when a container is a limitation, and that they keep no timer
// once they watch nothing.

const MB = 1024 * 1024;
const NO_HOST: HostCapabilities = { cgroups: {}, unshare: undefined, bubblewrap: undefined, missing: {} };

/** Waits (real time, a few ms a try) until a watcher has completed `n` rounds: a fake /proc is still read through the thread pool. */
async function rounds(watcher: { rounds: number }, n: number): Promise<void> {
  for (let i = 0; i < 400 && watcher.rounds < n; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(watcher.rounds).to.equal(n);
}

/** Lets promise chains and setImmediate callbacks run (a fake measure answers at once). */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

function spec(containerId: string, directory: string, resources: Resource[]): ContainerSpec {
  return { containerId, frameworkId: 'F1', executorId: `e-${containerId}`, directory, resources };
}

const disk = (mb: number): Resource => ({ name: 'disk', type: 'SCALAR', scalar: { value: mb } });
const ports = (...ranges: [number, number][]): Resource => ({ name: 'ports', type: 'RANGES', ranges: { range: ranges.map(([begin, end]) => ({ begin, end })) } });

describe('isolation: disk/du', () => {
  let clock: ManualClock;
  let logger: Logger & { lines: string[] };
  let sizes: Map<string, number | Error>;
  let measures: string[];

  function isolator(enforce: boolean, measure?: (dir: string, signal: AbortSignal) => Promise<number>): DiskDuIsolator {
    return new DiskDuIsolator({
      enforce, intervalMs: 15_000, logger,
      pause: (ms) => new Promise((resolve) => { clock.setTimer(ms, resolve); }),
      measure: measure ?? (async (dir) => {
        measures.push(dir);
        const size = sizes.get(dir);
        if (size instanceof Error) throw size;
        return size ?? 0;
      }),
    });
  }

  beforeEach(() => {
    clock = new ManualClock();
    const lines: string[] = [];
    logger = { lines, log: (level: string, message: string) => { lines.push(`${level} ${message}`); } } as Logger & { lines: string[] };
    sizes = new Map();
    measures = [];
  });

  it('reads du\'s total in kibibytes, and nothing else', () => {
    expect(parseDuOutput('20484\t/tmp/sandbox\n')).to.equal(20484 * 1024);
    expect(parseDuOutput('0\t/x\n')).to.equal(0);
    expect(parseDuOutput('du: cannot access')).to.equal(undefined);
    expect(parseDuOutput('')).to.equal(undefined);
  });

  it('measures a container at once and then every watch interval, and reports the last figure with its disk limit', async () => {
    const du = isolator(false);
    const c = spec('c1', '/sb/c1', [disk(10)]);
    sizes.set('/sb/c1', 4 * MB);
    du.prepare(c);
    await flush();
    expect(du.usage(c)).to.deep.equal({ disk_used_bytes: 4 * MB, disk_limit_bytes: 10 * MB });
    sizes.set('/sb/c1', 6 * MB);
    clock.advance(14_999);
    await flush();
    expect(du.usage(c).disk_used_bytes).to.equal(4 * MB);
    clock.advance(1);
    await flush();
    expect(du.usage(c).disk_used_bytes).to.equal(6 * MB);
    expect(measures).to.deep.equal(['/sb/c1', '/sb/c1']);
  });

  it('gives no limit to a container without disk, and none is a limitation', async () => {
    const du = isolator(true);
    const c = spec('c1', '/sb/c1', []);
    sizes.set('/sb/c1', 50 * MB);
    du.prepare(c);
    await flush();
    expect(du.usage(c)).to.deep.equal({ disk_used_bytes: 50 * MB });
    expect(du.limitation(c)).to.equal(undefined);
  });

  it('with enforcement, a container measured over its disk is a limitation naming the quota', async () => {
    const du = isolator(true);
    const c = spec('c1', '/sb/c1', [disk(10)]);
    sizes.set('/sb/c1', 10 * MB);
    du.prepare(c);
    await flush();
    // At the quota is not over it.
    expect(du.limitation(c)).to.equal(undefined);
    sizes.set('/sb/c1', 20 * MB + 512 * 1024);
    clock.advance(15_000);
    await flush();
    expect(du.limitation(c)).to.deep.equal({
      reason: 'REASON_CONTAINER_LIMITATION_DISK',
      message: 'Disk usage (20.5MB) exceeds quota (10MB): the sandbox /sb/c1 holds more than its disk resource',
    });
    expect(du.metrics()['containerizer/mesos/disk/du/containers_over_quota']).to.equal(1);
  });

  it('without enforcement, a container over its disk is reported, not a limitation', async () => {
    const du = isolator(false);
    const c = spec('c1', '/sb/c1', [disk(10)]);
    sizes.set('/sb/c1', 20 * MB);
    du.prepare(c);
    await flush();
    expect(du.limitation(c)).to.equal(undefined);
    expect(du.usage(c).disk_used_bytes).to.equal(20 * MB);
    expect(du.metrics()['containerizer/mesos/disk/du/containers_over_quota']).to.equal(1);
  });

  it('follows a container\'s resources as they change (a task joined its executor)', async () => {
    const du = isolator(true);
    sizes.set('/sb/c1', 15 * MB);
    du.prepare(spec('c1', '/sb/c1', [disk(10)]));
    await flush();
    const grown = spec('c1', '/sb/c1', [disk(10), disk(10)]);
    du.update(grown);
    expect(du.limitation(grown)).to.equal(undefined);
    expect(du.usage(grown).disk_limit_bytes).to.equal(20 * MB);
  });

  it('runs one du at a time, container after container', async () => {
    let running = 0;
    let most = 0;
    const finish: (() => void)[] = [];
    const du = isolator(false, (dir) => {
      running += 1;
      most = Math.max(most, running);
      measures.push(dir);
      return new Promise((resolve) => { finish.push(() => { running -= 1; resolve(MB); }); });
    });
    du.prepare(spec('c1', '/sb/c1', []));
    du.prepare(spec('c2', '/sb/c2', []));
    for (let i = 0; i < 2; i++) {
      await flush();
      finish.shift()!();
    }
    await flush();
    expect(measures).to.deep.equal(['/sb/c1', '/sb/c2']);
    expect(most).to.equal(1);
  });

  it('counts and logs a failed measure, and measures again at the next interval', async () => {
    const du = isolator(true);
    const c = spec('c1', '/sb/c1', [disk(1)]);
    sizes.set('/sb/c1', new Error('du -k -s /sb/c1 failed: No such file or directory'));
    du.prepare(c);
    await flush();
    expect(du.usage(c)).to.deep.equal({ disk_limit_bytes: MB });
    expect(du.metrics()['containerizer/mesos/disk/du/measures_failed']).to.equal(1);
    expect(logger.lines.some((l) => l.startsWith('warn disk/du could not measure container c1: du -k -s /sb/c1 failed'))).to.equal(true);
    sizes.set('/sb/c1', 2 * MB);
    clock.advance(15_000);
    await flush();
    expect(du.limitation(c)?.reason).to.equal('REASON_CONTAINER_LIMITATION_DISK');
  });

  it('aborts the measure of a container that ends, and keeps no timer once it watches nothing', async () => {
    let aborted = false;
    const du = isolator(false, (_dir, signal) => new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); });
    }));
    const c = spec('c1', '/sb/c1', []);
    du.prepare(c);
    await flush();
    du.cleanup(c);
    await flush();
    expect(aborted).to.equal(true);
    // The round ends with its pause; after it, the loop sees nothing to watch.
    clock.advance(15_000);
    await flush();
    expect(clock.pendingTimers()).to.equal(0);
    expect(du.metrics()['containerizer/mesos/disk/du/measures_failed']).to.equal(0);
  });

  it('stops measuring once closed (the agent stopped), and its containers stay as they were', async () => {
    const du = isolator(true);
    const c = spec('c1', '/sb/c1', [disk(1)]);
    sizes.set('/sb/c1', 2 * MB);
    du.prepare(c);
    await flush();
    du.close();
    clock.advance(15_000);
    await flush();
    expect(measures).to.have.length(1);
    expect(clock.pendingTimers()).to.equal(0);
    expect(du.limitation(c)?.reason).to.equal('REASON_CONTAINER_LIMITATION_DISK');
    du.prepare(spec('c2', '/sb/c2', []));
    await flush();
    expect(measures).to.have.length(1);
  });

  it('starts watching a container it first hears of after a restart (usage or limitation, no prepare)', async () => {
    const du = isolator(true);
    const c = spec('recovered', '/sb/r', [disk(1)]);
    sizes.set('/sb/r', 3 * MB);
    expect(du.limitation(c)).to.equal(undefined);
    await flush();
    expect(du.limitation(c)?.reason).to.equal('REASON_CONTAINER_LIMITATION_DISK');
  });
});

describe('isolation: network/ports', () => {
  let proc: string;
  let clock: ManualClock;
  let lines: string[];

  /** A /proc with the given tcp tables and processes (pid, cwd, socket inodes, process group). */
  function fakeProc(tcp: string, processes: { pid: number; pgid?: number; cwd: string; sockets: number[] }[]): void {
    mkdirSync(path.join(proc, 'net'), { recursive: true });
    writeFileSync(path.join(proc, 'net', 'tcp'), tcp);
    for (const p of processes) {
      const dir = path.join(proc, String(p.pid));
      mkdirSync(path.join(dir, 'fd'), { recursive: true });
      writeFileSync(path.join(dir, 'stat'), `${p.pid} (node) S 1 ${p.pgid ?? p.pid} 1 0 -1 0 0 0 0 0 5 3 0 0 20 0 1 0 0 0 0`);
      writeFileSync(path.join(dir, 'statm'), '100 50 10 1 0 20 0');
      symlinkSync(p.cwd, path.join(dir, 'cwd'));
      symlinkSync('/dev/null', path.join(dir, 'fd', '0'));
      p.sockets.forEach((inode, i) => symlinkSync(`socket:[${inode}]`, path.join(dir, 'fd', String(3 + i))));
    }
  }

  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  const line = (port: number, state: string, inode: number) =>
    `   0: 0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

  function isolator(enforce: boolean): NetworkPortsIsolator {
    const logger = { log: (level: string, message: string) => { lines.push(`${level} ${message}`); } } as Logger;
    return new NetworkPortsIsolator({
      enforce, intervalMs: 30_000, logger, procRoot: proc,
      pause: (ms) => new Promise((resolve) => { clock.setTimer(ms, resolve); }),
      processes: new ContainerProcesses(NO_HOST, 'tessera', proc),
    });
  }

  beforeEach(() => {
    proc = mkdtempSync(path.join(os.tmpdir(), 'tessera-fake-proc-'));
    clock = new ManualClock();
    lines = [];
  });
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  it('reads listening sockets from /proc/net/tcp (LISTEN only, IPv4 and IPv6) and socket links', () => {
    const v6 = '   1: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0\n';
    expect([...parseListeningSockets(header + line(8080, '0A', 111) + line(8081, '01', 222) + line(9000, '0A', 0) + v6)]).to.deep.equal([[111, 8080], [777, 80]]);
    expect(socketInode('socket:[4242]')).to.equal(4242);
    expect(socketInode('pipe:[4242]')).to.equal(undefined);
    expect(socketInode('/dev/null')).to.equal(undefined);
  });

  it('reports a port the container was not given once, counts it, and kills nothing without enforcement', async () => {
    const sandbox = mkdtempSync(path.join(os.tmpdir(), 'tessera-sandbox-'));
    try {
      fakeProc(header + line(31000, '0A', 101) + line(8080, '0A', 102), [
        { pid: 10, cwd: sandbox, sockets: [101] },
        // A child elsewhere, in the task's process group.
        { pid: 11, pgid: 10, cwd: '/', sockets: [102] },
        { pid: 12, cwd: '/elsewhere', sockets: [] },
      ]);
      const ports$ = isolator(false);
      const c = spec('c1', sandbox, [ports([31000, 31001])]);
      ports$.prepare(c);
      await rounds(ports$, 1);
      expect(ports$.limitation(c)).to.equal(undefined);
      expect(lines.filter((l) => l.includes("listening"))).to.deep.equal([`warn Container c1 is listening on port 8080, not among its ports resource (31000-31001)`]);
      expect(ports$.metrics()).to.deep.equal({
        'containerizer/mesos/network/ports/containers_listening_unallocated': 1,
        'containerizer/mesos/network/ports/unallocated_reports': 1,
      });
      // The same port at the next check is not reported again.
      clock.advance(30_000);
      await rounds(ports$, 2);
      expect(ports$.metrics()['containerizer/mesos/network/ports/unallocated_reports']).to.equal(1);
    } finally {
      rmSync(sandbox, { recursive: true, force: true });
    }
  });

  it('with enforcement, a container listening on a port it was not given is a limitation naming the port', async () => {
    const sandbox = mkdtempSync(path.join(os.tmpdir(), 'tessera-sandbox-'));
    try {
      fakeProc(header + line(8080, '0A', 102) + line(8081, '0A', 103), [{ pid: 10, cwd: sandbox, sockets: [103, 102] }]);
      const ports$ = isolator(true);
      const c = spec('c1', sandbox, []);
      ports$.prepare(c);
      await rounds(ports$, 1);
      expect(ports$.limitation(c)).to.deep.equal({
        reason: 'REASON_CONTAINER_LIMITATION',
        message: 'Container c1 is listening on ports 8080, 8081, not among its ports resource (it has none)',
      });
    } finally {
      rmSync(sandbox, { recursive: true, force: true });
    }
  });

  it('is content with a container listening only on its own ports, and stops checking once it has none', async () => {
    const sandbox = mkdtempSync(path.join(os.tmpdir(), 'tessera-sandbox-'));
    try {
      fakeProc(header + line(31005, '0A', 101), [{ pid: 10, cwd: sandbox, sockets: [101] }]);
      const ports$ = isolator(true);
      const c = spec('c1', sandbox, [ports([31000, 31001], [31005, 31005])]);
      ports$.prepare(c);
      await rounds(ports$, 1);
      expect(ports$.limitation(c)).to.equal(undefined);
      expect(ports$.metrics()['containerizer/mesos/network/ports/unallocated_reports']).to.equal(0);
      ports$.cleanup(c);
      clock.advance(30_000);
      await flush();
      expect(clock.pendingTimers()).to.equal(0);
    } finally {
      rmSync(sandbox, { recursive: true, force: true });
    }
  });
});
