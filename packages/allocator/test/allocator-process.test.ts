import { expect } from 'chai';
import { ManualClock, MemoryNetwork, Process, Random, Runtime, memoryLogger } from '@tessera/process';
import { Resources, type Messages } from '@tessera/protocol';
import { AllocatorProcess } from '../src/allocator-process.js';

type Offer = Messages['allocator.Offers']['offers'][number];

/** Stands in for the master: keeps every offer the allocator sends. */
class OfferSink extends Process {
  readonly offers: Offer[] = [];
  protected initialize(): void {
    this.install('allocator.Offers', (body) => { this.offers.push(...body.offers); });
  }
}

async function setup() {
  const clock = new ManualClock();
  const logger = memoryLogger();
  const runtime = await Runtime.create({ transport: new MemoryNetwork().transport('m1'), clock, logger, random: new Random(3) });
  const master = runtime.spawn(new OfferSink('master'));
  const allocator = runtime.spawn(new AllocatorProcess({ master: master.pid, allocationIntervalMs: 1_000 }));
  const post = <K extends keyof Messages>(type: K, body: Messages[K]): void => runtime.post(allocator.pid, type, body);
  return { clock, logger, runtime, master, allocator, post };
}

const res = (text: string) => Resources.parse(text).toJSON();

describe('AllocatorProcess', () => {
  it('offers a new agent to a framework at once, with allocation info, without waiting for the interval', async () => {
    const { clock, master, post } = await setup();
    post('allocator.AddFramework', { framework_id: 'f1', roles: ['web'] });
    post('allocator.AddAgent', { agent_id: 'a1', hostname: 'h1', resources: res('cpus:2;mem:512') });
    await clock.settle();
    expect(master.offers).to.deep.equal([{
      framework_id: 'f1', agent_id: 'a1', hostname: 'h1', role: 'web',
      resources: Resources.parse('cpus:2;mem:512').withAllocation('web').toJSON(),
    }]);
  });

  it('coalesces the requests of a burst of messages into one pass', async () => {
    const { clock, master, allocator, post } = await setup();
    post('allocator.AddFramework', { framework_id: 'f1', roles: ['web'] });
    for (const id of ['a1', 'a2', 'a3']) post('allocator.AddAgent', { agent_id: id, hostname: id, resources: res('cpus:1;mem:64') });
    await clock.settle();
    expect(master.offers.map((o) => o.agent_id).sort()).to.deep.equal(['a1', 'a2', 'a3']);
    expect(allocator.metrics()['allocator/mesos/allocation_runs']).to.equal(1);
  });

  it('re-offers declined resources only after refuse_seconds, on the allocation interval', async () => {
    const { clock, master, post } = await setup();
    post('allocator.AddFramework', { framework_id: 'f1', roles: ['web'] });
    post('allocator.AddAgent', { agent_id: 'a1', hostname: 'h1', resources: res('cpus:1;mem:64') });
    await clock.settle();
    const [offer] = master.offers.splice(0);
    post('allocator.Recover', { framework_id: 'f1', agent_id: 'a1', resources: offer!.resources, refuse_seconds: 5 });
    await clock.settle();
    for (let ms = 0; ms < 4_000; ms += 1_000) {
      clock.advance(1_000);
      await clock.settle();
    }
    expect(master.offers).to.deep.equal([]);
    clock.advance(1_000);
    await clock.settle();
    expect(master.offers.map((o) => o.agent_id)).to.deep.equal(['a1']);
  });

  it('refuses an operation the state cannot take, logs it, counts it, and changes nothing', async () => {
    const { clock, logger, allocator, post } = await setup();
    post('allocator.AddAgent', { agent_id: 'a1', hostname: 'h1', resources: res('cpus:1;mem:64') });
    post('allocator.AddFramework', { framework_id: 'f1', roles: ['web'], used: [{ agent_id: 'ghost', resources: res('cpus:1') }] });
    await clock.settle();
    expect(allocator.allocatorState.frameworks.has('f1')).to.equal(false);
    expect(allocator.metrics()['allocator/tessera/messages_refused']).to.equal(1);
    expect(logger.lines.some((l) => l.message === 'allocator refused allocator.AddFramework from _post@m1: no agent ghost')).to.equal(true);
  });

  it('holds back a recovered framework\'s running tasks and offers the rest', async () => {
    const { clock, master, post } = await setup();
    post('allocator.AddAgent', { agent_id: 'a1', hostname: 'h1', resources: res('cpus:4;mem:400') });
    post('allocator.AddFramework', { framework_id: 'f1', roles: ['web'], used: [{ agent_id: 'a1', resources: Resources.parse('cpus:3;mem:300').withAllocation('web').toJSON() }] });
    await clock.settle();
    expect(master.offers.map((o) => Resources.of(o.resources).withoutAllocation().toString())).to.deep.equal(['cpus:1;mem:100']);
  });

  it('applies quota and weights sent as messages', async () => {
    const { clock, master, post } = await setup();
    post('allocator.UpdateQuota', { role: 'capped', limits: { cpus: { value: 1 } } });
    post('allocator.AddFramework', { framework_id: 'f1', roles: ['capped'] });
    post('allocator.AddAgent', { agent_id: 'a1', hostname: 'h1', resources: res('cpus:4;mem:400') });
    await clock.settle();
    expect(master.offers.map((o) => Resources.of(o.resources).scalar('cpus'))).to.deep.equal([1]);
  });

  it('reports its metrics under Mesos\'s names when asked', async () => {
    const { clock, runtime, allocator, post } = await setup();
    post('allocator.AddFramework', { framework_id: 'f1', roles: ['web'] });
    post('allocator.AddAgent', { agent_id: 'a1', hostname: 'h1', resources: res('cpus:2;mem:512') });
    await clock.settle();
    const reply = runtime.ask(allocator.pid, 'allocator.GetMetrics', {}, { expect: 'allocator.Metrics' });
    await clock.settle();
    const { metrics } = await reply;
    expect(metrics).to.include({
      'allocator/mesos/allocation_runs': 1,
      'allocator/mesos/roles/web/shares/dominant': 1,
      'allocator/mesos/resources/cpus/total': 2,
      'allocator/mesos/resources/cpus/offered_or_allocated': 2,
    });
    expect(metrics).to.have.property('allocator/mesos/allocation_run_ms/p99');
  });
});
