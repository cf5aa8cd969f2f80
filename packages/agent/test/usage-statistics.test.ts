import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentState, containerStatistics, sumUsage, agentMetrics, type ContainerRef, type Isolator } from '../src/index.js';

// How the isolators' figures reach /monitor/statistics and /metrics/snapshot: preferred to
// /proc's, /proc read only for what none measured, and summed into the agent's metrics.

const ref = (id: string, directory: string, extra: Partial<ContainerRef> = {}): ContainerRef => ({
  framework_id: 'F1', executor_id: id, executor_name: '', source: id, directory, ...extra,
});

describe('container statistics from isolators and /proc', () => {
  let proc: string;
  let sandbox: string;

  beforeEach(() => {
    proc = mkdtempSync(path.join(os.tmpdir(), 'tessera-fake-proc-'));
    sandbox = mkdtempSync(path.join(os.tmpdir(), 'tessera-sandbox-'));
    // One task in the sandbox: 250 + 75 ticks of CPU, 10 pages resident.
    mkdirSync(path.join(proc, '42'));
    writeFileSync(path.join(proc, '42', 'stat'), '42 (sleep) S 1 42 1 0 -1 0 0 0 0 0 250 75 0 0 20 0 1 0 0 0 0');
    writeFileSync(path.join(proc, '42', 'statm'), '100 10 5 1 0 20 0');
    symlinkSync(sandbox, path.join(proc, '42', 'cwd'));
  });
  afterEach(() => {
    rmSync(proc, { recursive: true, force: true });
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('takes every figure the isolators measured and does not scan /proc when they measured all', async () => {
    const usage = { cpus_user_time_secs: 1.5, cpus_system_time_secs: 0.5, mem_rss_bytes: 1000, mem_limit_bytes: 64 << 20, processes: 3, threads: 4, disk_used_bytes: 5, disk_limit_bytes: 10 };
    // A /proc that does not exist: a scan would throw.
    const [entry] = await containerStatistics([ref('e1', sandbox, { usage, mem_limit_bytes: 1, cpus_limit: 0.5 })], 100, path.join(proc, 'absent'));
    expect(entry!.statistics).to.deep.equal({ timestamp: 100, cpus_limit: 0.5, ...usage });
  });

  it('reads from /proc what no isolator measured, by the processes in the sandbox', async () => {
    const [entry] = await containerStatistics([ref('e1', sandbox, { usage: { disk_used_bytes: 7 }, mem_limit_bytes: 64 << 20 })], 100, proc);
    expect(entry!.statistics).to.deep.equal({
      timestamp: 100, cpus_user_time_secs: 2.5, cpus_system_time_secs: 0.75, mem_rss_bytes: 10 * 4096, processes: 1, mem_limit_bytes: 64 << 20, disk_used_bytes: 7,
    });
  });

  it('sums each figure over the containers that report it into containerizer/usage metrics', () => {
    expect(sumUsage([{ mem_rss_bytes: 10, processes: 1 }, { mem_rss_bytes: 5 }, {}])).to.deep.equal({ mem_rss_bytes: 15, processes: 1 });
    const isolator: Isolator = { name: 'x', prepare: () => ({}), cleanup: () => {}, metrics: () => ({ 'containerizer/mesos/x/y': 2 }) };
    const metrics = agentMetrics({
      state: new AgentState(), registered: true, uptimeSecs: 12,
      total: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 4 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 1024 } }],
      used: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }],
      usage: [{ mem_rss_bytes: 10 }, { mem_rss_bytes: 5, disk_used_bytes: 3 }],
      isolators: [isolator],
      fetcher: { fetchesSucceeded: 3, fetchesFailed: 1, usedBytes: 100, capacityBytes: 1000 },
      collector: { pending: 2, removalsSucceeded: 5, removalsFailed: 0 },
    });
    expect(metrics).to.deep.include({
      'slave/uptime_secs': 12, 'slave/registered': 1, 'slave/tasks_running': 0, 'slave/executors_running': 0,
      'slave/cpus_total': 4, 'slave/cpus_used': 1, 'slave/cpus_percent': 0.25, 'slave/mem_total': 1024, 'slave/mem_used': 0, 'slave/disk_percent': 0,
      'containerizer/usage/mem_rss_bytes': 15, 'containerizer/usage/disk_used_bytes': 3, 'containerizer/mesos/x/y': 2,
      'containerizer/fetcher/task_fetches_succeeded': 3, 'containerizer/fetcher/task_fetches_failed': 1,
      'containerizer/fetcher/cache_size_total_bytes': 1000, 'containerizer/fetcher/cache_size_used_bytes': 100,
      'gc/path_removals_succeeded': 5, 'gc/path_removals_failed': 0, 'gc/path_removals_pending': 2,
    });
    expect(metrics).to.not.have.property('containerizer/usage/processes');
  });
});
