import { expect } from 'chai';
import { memoryLogger } from '@tessera/process';
import {
  Containerizer,
  buildContainerizer,
  containerLaunch,
  cpuControls,
  defaultIsolation,
  memoryLimitBytes,
  mergePlans,
  parseCgroupMounts,
  parseIsolation,
  parseProcCgroup,
  rlimitsProblem,
  type ContainerSpec,
  type HostCapabilities,
  type Isolator,
  type LaunchPlan,
} from '../src/index.js';
import { settings } from './isolation-support.js';

// The containerizer's pure parts: what the host offers, which isolators are chosen and why,
// the limits each computes, and how plans merge. No cgroup is touched.

const h = (mount: string, own = '/') => ({ mount, own });
const fullHost: HostCapabilities = {
  cgroups: { memory: h('/m'), cpu: h('/c'), cpuacct: h('/c'), pids: h('/p'), freezer: h('/f') },
  unshare: '/usr/bin/unshare', bubblewrap: '/usr/bin/bwrap', missing: {},
};
const bareHost: HostCapabilities = {
  cgroups: {}, unshare: undefined, bubblewrap: undefined,
  missing: { 'cgroups/memory': 'no memory here', 'cgroups/cpu': 'no cpu here', 'cgroups/pids': 'no pids here', 'cgroups/freezer': 'no freezer here', bwrap: 'bwrap is not installed' },
};
const build = (isolation: string | undefined, host: HostCapabilities, launcher?: 'linux' | 'posix') => buildContainerizer({
  ...(isolation === undefined ? {} : { isolation }), ...(launcher === undefined ? {} : { launcher }),
  settings, host, pause: async () => {}, logger: memoryLogger(),
});

describe('isolation: host detection, choice of isolators, limits (pure)', () => {
  it('reads cgroup v1 mounts (co-mounted controllers, escaped paths) and this process\'s cgroups', () => {
    const mounts = parseCgroupMounts([
      'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,cpu,cpuacct 0 0',
      'cgroup /sys/fs/cgroup/my\\040pids cgroup rw,pids 0 0',
      'cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0',
    ].join('\n'));
    expect(mounts.get('cpu')).to.equal('/sys/fs/cgroup/cpu,cpuacct');
    expect(mounts.get('cpuacct')).to.equal('/sys/fs/cgroup/cpu,cpuacct');
    expect(mounts.get('pids')).to.equal('/sys/fs/cgroup/my pids');
    expect(mounts.has('memory')).to.equal(false);
    const own = parseProcCgroup('4:memory:/process_api/abc\n3:cpu,cpuacct:/\n0::/\n');
    expect(own.get('memory')).to.equal('/process_api/abc');
    expect(own.get('cpuacct')).to.equal('/');
  });

  it('defaults to the cgroups isolators the host has, posix ones for the rest, and posix/rlimits, saying why', () => {
    expect(defaultIsolation(fullHost)).to.deep.equal({
      isolation: 'cgroups/cpu,cgroups/mem,cgroups/pids,posix/rlimits', why: 'the host has writable cgroup v1 cpu, memory and pids hierarchies',
    });
    const bare = defaultIsolation(bareHost);
    expect(bare.isolation).to.equal('posix/cpu,posix/mem,posix/rlimits');
    expect(bare.why).to.equal('not every cgroup is available: cgroups/cpu: no cpu here (posix/cpu instead); cgroups/mem: no memory here (posix/mem instead); cgroups/pids: no pids here');
  });

  it('picks the linux launcher where the freezer is, posix elsewhere, and shows the choice', () => {
    expect(build(undefined, fullHost).view).to.deep.include({ launcher: 'linux', isolation: 'cgroups/cpu,cgroups/mem,cgroups/pids,posix/rlimits', cgroups_root: 'tessera' });
    expect(build(undefined, bareHost).view).to.deep.include({ launcher: 'posix', isolation: 'posix/cpu,posix/mem,posix/rlimits' });
    expect(build('posix/cpu', fullHost, 'posix').containerizer.launcher).to.equal('posix');
    expect(build('posix/cpu', fullHost).view.chosen).to.equal('as --isolation says');
  });

  it('refuses unknown isolators and those the host cannot have, naming each and why', () => {
    expect(() => parseIsolation('cgroups/mem, cgroups/gpu,disk/xfs')).to.throw('unknown isolators cgroups/gpu, disk/xfs (known: ');
    expect(parseIsolation(' cgroups/mem,,cgroups/mem ,posix/cpu')).to.deep.equal(['cgroups/mem', 'posix/cpu']);
    expect(() => build('cgroups/mem,filesystem/linux', bareHost)).to.throw('this host cannot isolate as asked: cgroups/mem: no memory here; filesystem/linux: bwrap is not installed');
    expect(() => build('posix/cpu', bareHost, 'linux')).to.throw('the linux launcher needs the freezer cgroup: no freezer here');
    expect(() => buildContainerizer({ isolation: 'posix/cpu', cgroupsRoot: '../escape', settings, host: fullHost, pause: async () => {}, logger: memoryLogger() }))
      .to.throw("cgroups root '../escape' must be a relative path of plain names");
  });

  it('computes Mesos\'s cpu shares and CFS quota, with their minimums', () => {
    expect(cpuControls(0.25)).to.deep.equal({ shares: 256, quotaUs: 25_000 });
    expect(cpuControls(2)).to.deep.equal({ shares: 2048, quotaUs: 200_000 });
    // cpus 0.001: 1 share and 100 us would be below Mesos's minimums (2 shares, 1 ms).
    expect(cpuControls(0.001)).to.deep.equal({ shares: 2, quotaUs: 1_000 });
  });

  it('caps memory at the container\'s mem, never under Mesos\'s 32 MB', () => {
    const spec = (mem: number) => ({ containerId: 'c', frameworkId: 'f', executorId: 'e', directory: '/d', resources: [{ name: 'mem', type: 'SCALAR' as const, scalar: { value: mem } }] });
    expect(memoryLimitBytes(spec(64))).to.equal(64 * 1024 * 1024);
    expect(memoryLimitBytes(spec(1))).to.equal(32 * 1024 * 1024);
  });

  it('checks rlimits as Mesos does: both sides or neither, soft under hard, each type once', () => {
    expect(rlimitsProblem([{ type: 'RLMT_NOFILE', soft: 1, hard: 2 }, { type: 'RLMT_CORE' }])).to.equal(undefined);
    expect(rlimitsProblem([{ type: 'RLMT_NOFILE', hard: 2 }])).to.equal('rlimit RLMT_NOFILE needs both soft and hard, or neither (unlimited)');
    expect(rlimitsProblem([{ type: 'RLMT_CPU', soft: 3, hard: 2 }])).to.equal('rlimit RLMT_CPU has soft 3 above hard 2');
    expect(rlimitsProblem([{ type: 'RLMT_CORE' }, { type: 'RLMT_CORE' }])).to.equal('rlimit RLMT_CORE is given twice');
  });

  it('merges plans: cgroups added once each, a later limit of a type wins, namespaces if any asks', () => {
    const merged = mergePlans([
      { rlimits: [{ type: 'RLMT_NOFILE', soft: 1024, hard: 1024 }, { type: 'RLMT_DATA', soft: 1, hard: 1 }] },
      { cgroups: ['/f/c'] },
      { cgroups: ['/m/c', '/f/c'], rlimits: [{ type: 'RLMT_NOFILE', soft: 10, hard: 20 }] },
      { pidNamespace: true, filesystem: { privateTmp: true, readOnlyHost: false } },
      { filesystem: { privateTmp: false, readOnlyHost: true } },
    ]);
    expect(merged).to.deep.equal({
      cgroups: ['/f/c', '/m/c'],
      rlimits: [{ type: 'RLMT_NOFILE', soft: 10, hard: 20 }, { type: 'RLMT_DATA', soft: 1, hard: 1 }],
      pidNamespace: true,
      filesystem: { privateTmp: true, readOnlyHost: true },
    });
    expect(containerLaunch(merged)).to.deep.equal({
      cgroups: ['/f/c', '/m/c'], rlimits: merged.rlimits, pid_namespace: true, filesystem: { private_tmp: true, read_only_host: true },
    });
    expect(containerLaunch(mergePlans([]))).to.deep.equal({});
  });

  it('gives every container the agent\'s nofile, and posix/mem\'s RLIMIT_DATA without a memory cgroup', async () => {
    const { containerizer } = build('posix/mem', bareHost, 'posix');
    const plan = await containerizer.prepare({ containerId: 'c', frameworkId: 'f', executorId: 'e', directory: '/d', resources: [{ name: 'mem', type: 'SCALAR', scalar: { value: 2 } }] });
    expect(plan).to.deep.equal({ rlimits: [{ type: 'RLMT_NOFILE', soft: 1024, hard: 1024 }, { type: 'RLMT_DATA', soft: 2 * 1024 * 1024, hard: 2 * 1024 * 1024 }] });
  });

  it('runs the isolators\' preparations at once, and a destroy waits for one in flight before cleaning up', async () => {
    const events: string[] = [];
    const gates: Array<(plan: LaunchPlan) => void> = [];
    const gated = (name: string): Isolator => ({
      name,
      prepare: () => new Promise<LaunchPlan>((resolve) => { events.push(`prepare ${name}`); gates.push(resolve); }),
      cleanup: () => { events.push(`cleanup ${name}`); },
    });
    const c = new Containerizer({ isolators: [gated('a'), gated('b')], cgroupsRoot: 'r', settings, pause: async () => {}, logger: memoryLogger() });
    const spec: ContainerSpec = { containerId: 'c', frameworkId: 'f', executorId: 'e', directory: '/d', resources: [] };
    const prepared = c.prepare(spec);
    const destroyed = c.destroy(spec);
    await Promise.resolve();
    expect(events).to.deep.equal(['prepare a', 'prepare b']);
    gates[1]!({ cgroups: ['/b'] });
    gates[0]!({ cgroups: ['/a'] });
    expect((await prepared).cgroups).to.deep.equal(['/a', '/b']);
    await destroyed;
    expect(events.slice(2).sort()).to.deep.equal(['cleanup a', 'cleanup b']);
  });

  it('rejects a preparation any isolator failed only once every other one has settled', async () => {
    let settleSlow!: () => void;
    const slow: Isolator = { name: 'slow', prepare: () => new Promise<LaunchPlan>((resolve) => { settleSlow = () => resolve({}); }), cleanup: () => {} };
    const failing: Isolator = { name: 'failing', prepare: () => { throw new Error('no room'); }, cleanup: () => {} };
    const c = new Containerizer({ isolators: [slow, failing], cgroupsRoot: 'r', settings, pause: async () => {}, logger: memoryLogger() });
    let outcome: string | undefined;
    const prepared = c.prepare({ containerId: 'c', frameworkId: 'f', executorId: 'e', directory: '/d', resources: [] })
      .then(() => 'prepared', (e: Error) => e.message)
      .then((o) => { outcome = o; });
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(outcome).to.equal(undefined);
    settleSlow();
    await prepared;
    expect(outcome).to.equal('no room');
  });
});
