// The trace replayer's pure parts: reading and generating traces, a framework's use of its
// offers, and the recorder's latencies, throughput and dominant shares.
import { expect } from 'chai';
import { Resources, type Offer } from '@tessera/protocol';
import { TraceError, TraceFramework, TraceRecorder, formatTrace, generateTrace, parseTrace, summarize } from '../src/sim/index.js';

const line = (fields: Record<string, unknown>): string => JSON.stringify({ at_ms: 0, framework: 'web', role: 'prod', resources: 'cpus:1;mem:128', duration_ms: 1_000, ...fields });

function offer(id: string, resources: string, role = 'prod'): Offer {
  return {
    id: { value: id }, framework_id: { value: 'F' }, agent_id: { value: `A-${id}` }, hostname: `h-${id}`,
    resources: Resources.parse(resources).withAllocation(role).toJSON(), allocation_info: { role },
  } as Offer;
}

describe('parseTrace', () => {
  it('reads jobs in arrival order, ties in file order, skipping blanks and comments, naming each', () => {
    const jobs = parseTrace([
      '# a comment', line({ at_ms: 500, id: 'late' }), '', line({ at_ms: 0, count: 3 }), line({ at_ms: 500, framework: 'batch', role: 'dev' }),
    ].join('\n'));
    expect(jobs.map((j) => [j.id, j.at_ms, j.count])).to.deep.equal([['job-4', 0, 3], ['late', 500, undefined], ['job-5', 500, undefined]]);
    expect(parseTrace(formatTrace(jobs))).to.deep.equal(jobs);
  });

  it('names the line and the problem of a bad trace', () => {
    const bad: [string, RegExp][] = [
      [`${line({})}\n{oops`, /line 2: not JSON/],
      [line({ extra: 1 }), /line 1: unknown field\(s\) extra/],
      [line({ at_ms: -1 }), /at_ms must be a number >= 0, got -1/],
      [line({ count: 1.5 }), /count must be a whole number >= 1/],
      [line({ resources: 'cpus:lots' }), /resources 'cpus:lots'/],
      [line({ framework: 'a b' }), /framework 'a b' may hold only/],
      [line({ role: '..' }), /'\.\.' is not a role name/],
      [`${line({})}\n${line({ role: 'dev' })}`, /line 2: framework 'web' has role 'prod' already, not 'dev'/],
      [`${line({ id: 'x' })}\n${line({ id: 'x' })}`, /line 2: job id 'x' is used twice/],
      ['# nothing\n', /no job/],
    ];
    for (const [text, why] of bad) expect(() => parseTrace(text), text).to.throw(TraceError, why);
  });
});

describe('generateTrace', () => {
  it('makes the same sorted, valid trace from the same seed', () => {
    const options = { frameworks: 4, roles: 2, jobs: 200, spanMs: 10_000, tasksPerJob: [1, 5] as [number, number], seed: 9 };
    const jobs = generateTrace(options);
    expect(generateTrace(options)).to.deep.equal(jobs);
    expect(parseTrace(formatTrace(jobs))).to.deep.equal(jobs);
    expect(jobs).to.have.length(200);
    expect(jobs.every((j, i) => i === 0 || j.at_ms >= jobs[i - 1]!.at_ms)).to.equal(true);
    expect(new Set(jobs.map((j) => j.role))).to.deep.equal(new Set(['role-1', 'role-2']));
    expect(jobs.every((j) => j.count! >= 1 && j.count! <= 5)).to.equal(true);
    // A Poisson process over 10 s: the last arrival lands near the span.
    expect(jobs.at(-1)!.at_ms).to.be.within(7_000, 13_000);
    expect(generateTrace({ ...options, seed: 10 })).to.not.deep.equal(jobs);
  });

  it('refuses a bad shape', () => {
    expect(() => generateTrace({ jobs: 0 })).to.throw('jobs must be a whole number >= 1');
    expect(() => generateTrace({ tasksPerJob: [3, 2] })).to.throw('tasksPerJob max');
  });
});

describe('TraceFramework', () => {
  it('fills each offer it begins first fit from the head of its queue, and begins none past its window', () => {
    const fw = new TraceFramework('web', 'prod', { window: 3 });
    for (const job of parseTrace([line({ id: 'big', resources: 'cpus:4;mem:128' }), line({ id: 'small', count: 8 })].join('\n'))) fw.arrive(job);
    fw.offered([offer('o1', 'cpus:2;mem:1024')], 0);
    const first = fw.decide(0);
    // The 4-cpu task does not fit the 2-cpu offer; two small ones do.
    expect(first.launches.map((l) => l.tasks.map((t) => t.task_id.value))).to.deep.equal([['small-0', 'small-1']]);
    expect(first.launches[0]!.tasks[0]!.command).to.deep.equal({ value: 'sleep 1' });
    expect([fw.pending, fw.launched]).to.deep.equal([7, 2]);
    // 2 in flight, under the window of 3: the next offer is begun and filled whole (5 of 6 cpus).
    fw.offered([offer('o2', 'cpus:6;mem:1024')], 0);
    expect(fw.decide(0).launches.map((l) => l.tasks.map((t) => t.task_id.value))).to.deep.equal([['big-0', 'small-2', 'small-3']]);
    fw.offered([offer('o3', 'cpus:8;mem:1024')], 10);
    expect(fw.decide(10)).to.deep.equal({ launches: [], declines: [] }); // held: the window is full
    for (const id of ['small-0', 'small-1', 'big-0']) fw.update({ task_id: { value: id }, state: 'TASK_RUNNING' } as never);
    expect(fw.decide(20).launches.map((l) => l.tasks.map((t) => t.task_id.value))).to.deep.equal([['small-4', 'small-5', 'small-6', 'small-7']]);
  });

  it('declines at once what it cannot use with nothing waiting, and after holdMs what the window holds back', () => {
    const fw = new TraceFramework('web', 'prod', { window: 1, holdMs: 500 });
    fw.offered([offer('idle', 'cpus:1;mem:128')], 0);
    expect(fw.decide(0).declines.map((o) => o.id.value)).to.deep.equal(['idle']);
    fw.arrive(parseTrace(line({ count: 2 }))[0]!);
    fw.offered([offer('o1', 'cpus:1;mem:128'), offer('o2', 'cpus:1;mem:128')], 0);
    expect(fw.decide(0).launches).to.have.length(1);
    expect(fw.decide(499).declines).to.deep.equal([]);
    expect(fw.decide(500).declines.map((o) => o.id.value)).to.deep.equal(['o2']);
  });

  it('names launches still short of TASK_RUNNING after a while, once per while, for reconciliation', () => {
    const fw = new TraceFramework('web', 'prod');
    fw.arrive(parseTrace(line({ count: 2 }))[0]!);
    fw.offered([offer('o1', 'cpus:2;mem:256')], 0);
    fw.decide(0);
    fw.update({ task_id: { value: 'job-1-0' }, state: 'TASK_RUNNING' } as never);
    expect(fw.staleLaunches(29_999, 30_000)).to.deep.equal([]);
    expect(fw.staleLaunches(30_000, 30_000).map((t) => [t.taskId, t.agentId])).to.deep.equal([['job-1-1', 'A-o1']]);
    expect(fw.staleLaunches(40_000, 30_000)).to.deep.equal([]);
    expect(fw.staleLaunches(60_000, 30_000)).to.have.length(1);
  });

  it('holds at most maxHeld offers, declining the newest', () => {
    const fw = new TraceFramework('web', 'prod', { window: 1, maxHeld: 2 });
    fw.arrive(parseTrace(line({ count: 9 }))[0]!);
    fw.offered(['o1', 'o2', 'o3', 'o4'].map((id) => offer(id, 'cpus:1;mem:128')), 0);
    const decision = fw.decide(0);
    expect(decision.launches.map((l) => l.offer.id.value)).to.deep.equal(['o1']);
    expect(decision.declines.map((o) => o.id.value)).to.deep.equal(['o4']);
    expect(fw.holding).to.equal(2);
  });

  it('reports a task\'s first RUNNING and its end once, and ignores tasks not its own', () => {
    const fw = new TraceFramework('web', 'prod');
    fw.arrive(parseTrace(line({}))[0]!);
    fw.offered([offer('o1', 'cpus:1;mem:128')], 0);
    fw.decide(0);
    const id = { value: 'job-1-0' };
    expect(fw.update({ task_id: id, state: 'TASK_STARTING' } as never)).to.equal(undefined);
    expect(fw.update({ task_id: id, state: 'TASK_RUNNING' } as never)).to.have.property('ended', false);
    expect(fw.update({ task_id: id, state: 'TASK_RUNNING' } as never)).to.equal(undefined);
    expect(fw.update({ task_id: id, state: 'TASK_FINISHED' } as never)).to.have.property('ended', true);
    expect(fw.update({ task_id: { value: 'other' }, state: 'TASK_FINISHED' } as never)).to.equal(undefined);
    expect(fw.launched).to.equal(0);
  });
});

describe('TraceRecorder', () => {
  it('leaves a warm-up out of latencies and throughput, not out of counts and buckets', () => {
    const task = Resources.parse('cpus:1;mem:100');
    const recorder = new TraceRecorder(0, Resources.parse('cpus:10;mem:1000'), 1_000, 2_000);
    recorder.taskRunning('a', task, 0, 0, 1_500); // in the warm-up: 1,500 ms of latency
    recorder.taskRunning('a', task, 2_000, 2_000, 2_100);
    recorder.taskRunning('a', task, 2_000, 2_000, 4_000);
    const report = recorder.report(4_000);
    expect(report.tasks.running).to.equal(3);
    expect(report.launch).to.include({ count: 2, p50: 100, max: 2_000 });
    expect(report.runningPerS).to.equal(1); // 2 in the 2 s from the warm-up's end to the last
    expect(report.buckets.map((b) => b.running_per_s)).to.deep.equal([0, 1, 1, 0]);
  });

  it('summarizes latencies by nearest rank', () => {
    expect(summarize([5, 1, 3, 2, 4])).to.deep.equal({ count: 5, p50: 3, p99: 5, max: 5, mean: 3 });
    expect(summarize([])).to.deep.equal({ count: 0, p50: 0, p99: 0, max: 0, mean: 0 });
  });

  it('buckets throughput and launch latency, and samples each role\'s dominant share at each bucket\'s end', () => {
    // Cluster: 10 cpus, 1000 MB. Role a runs 2 x (cpus:1, mem:300): share max(0.2, 0.6) = 0.6.
    const recorder = new TraceRecorder(1_000, Resources.parse('cpus:10;mem:1000'), 1_000);
    recorder.role('b');
    const task = Resources.parse('cpus:1;mem:300');
    recorder.taskLaunched(1_000);
    recorder.taskLaunched(1_000);
    recorder.taskRunning('a', task, 1_000, 1_000, 1_200);
    recorder.taskRunning('a', task, 900, 1_000, 1_400);
    recorder.taskEnded('a', task, true, true, 2_500);
    recorder.taskEnded('a', task, false, true, 3_100);
    const report = recorder.report(3_500);
    expect(report.tasks).to.deep.equal({ launched: 2, running: 2, finished: 1, failed: 1 });
    expect(report.launch).to.include({ count: 2, p50: 200, p99: 400 });
    expect(report.placement).to.include({ p50: 200, p99: 500 });
    expect(report.runningPerS).to.equal(10); // 2 in the 200 ms between the first and the last
    expect(report.buckets.map((b) => [b.t_s, b.running_per_s, b.shares])).to.deep.equal([
      [1, 2, { b: 0, a: 0.6 }],
      [2, 0, { b: 0, a: 0.3 }],
      [2.5, 0, { b: 0, a: 0 }], // the last, partial bucket
    ]);
    expect(report.meanShares).to.deep.equal({ b: 0, a: 0.3 });
  });
});
