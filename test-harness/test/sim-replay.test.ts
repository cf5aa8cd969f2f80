// A trace replayed against a real master and simulated agents on a manual clock: every task
// runs and finishes, and the allocator's DRF shows in the roles' dominant shares.
import { expect } from 'chai';
import { Resources } from '@tessera/protocol';
import { parseTrace, replayTrace, type TraceReport } from '../src/sim/index.js';
import { startSimCluster, type SimCluster } from './sim-support.js';

describe('replayTrace', () => {
  let cluster: SimCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('runs every task of two roles with equal demand, each holding half the cluster while both wait', async () => {
    // 4 agents of 4 cpus: 16 cpus. Each role wants 16 one-cpu tasks of 5 s.
    cluster = await startSimCluster({ count: 4 });
    await cluster.advance(1_000);
    const jobs = parseTrace([
      JSON.stringify({ at_ms: 0, framework: 'a', role: 'ra', resources: 'cpus:1;mem:256', duration_ms: 5_000, count: 16 }),
      JSON.stringify({ at_ms: 0, framework: 'b', role: 'rb', resources: 'cpus:1;mem:256', duration_ms: 5_000, count: 16 }),
    ].join('\n'));
    let report: TraceReport | undefined;
    const replay = replayTrace({ jobs, runtime: cluster.frameworks, cluster: Resources.parse('cpus:16;mem:16384'), refuseSeconds: 0.1 })
      .then((r) => { report = r; });
    await cluster.advanceUntil(() => report !== undefined, 60_000);
    await replay;
    expect(report!.tasks).to.deep.equal({ launched: 32, running: 32, finished: 32, failed: 0 });
    // Two waves of 16: the second starts once the first has finished, 5 s later.
    expect(report!.placement.p50).to.be.below(1_000);
    expect(report!.placement.max).to.be.within(5_000, 6_500);
    // DRF: while both roles wait, each holds 8 of the 16 cpus.
    const busy = report!.buckets.filter((b) => (b.shares.ra ?? 0) + (b.shares.rb ?? 0) === 1);
    expect(busy.length).to.be.at.least(8);
    for (const bucket of busy) expect(bucket.shares).to.deep.equal({ ra: 0.5, rb: 0.5 });
    expect(report!.meanShares.ra).to.equal(report!.meanShares.rb);
  });

  it('places arrivals as they come and stops at the time limit with what it has', async () => {
    cluster = await startSimCluster({ count: 2 });
    await cluster.advance(1_000);
    const jobs = parseTrace([
      JSON.stringify({ at_ms: 0, framework: 'a', role: 'r', resources: 'cpus:1;mem:256', duration_ms: 1_000 }),
      JSON.stringify({ at_ms: 3_000, framework: 'a', role: 'r', resources: 'cpus:1;mem:256', duration_ms: 1_000, count: 2 }),
      // Fits no agent: never placed, so only the time limit ends the replay.
      JSON.stringify({ at_ms: 3_000, framework: 'a', role: 'r', resources: 'cpus:64;mem:256', duration_ms: 1_000 }),
    ].join('\n'));
    let report: TraceReport | undefined;
    const replay = replayTrace({ jobs, runtime: cluster.frameworks, cluster: Resources.parse('cpus:8;mem:8192'), timeLimitMs: 8_000, refuseSeconds: 0.1 })
      .then((r) => { report = r; });
    await cluster.advanceUntil(() => report !== undefined, 20_000);
    await replay;
    expect(report!.tasks).to.deep.equal({ launched: 3, running: 3, finished: 3, failed: 0 });
    expect(report!.elapsedMs).to.be.within(8_000, 8_100);
    // The later job was revived and placed within an allocation round or two of its arrival.
    expect(report!.placement.max).to.be.below(1_000);
  });
});
