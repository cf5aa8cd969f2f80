import { expect } from 'chai';
import type { MasterDetector } from '@tessera/leader';
import type { Envelope, LeaderRecord, Messages } from '@tessera/protocol';
import { MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { Peer, commandTask, framework, startCluster, type Cluster } from './support.js';

/** A detector the test moves by hand. */
class HandDetector implements MasterDetector {
  leader: LeaderRecord | undefined;
  private readonly listeners = new Set<(leader: LeaderRecord | undefined) => void>();
  constructor(initial: LeaderRecord) {
    this.leader = initial;
  }
  onChange(fn: (leader: LeaderRecord | undefined) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  set(leader: LeaderRecord): void {
    this.leader = leader;
    for (const fn of this.listeners) fn(leader);
  }
  stop(): void {}
}

/** A master peer that leads at an epoch and answers re-registrations. */
class LeadingPeer extends Peer {
  constructor(name: string, private readonly epoch: number) {
    super(name, (peer, message) => {
      if (message.type === 'agent.Reregister') {
        const body = message.body as Messages['agent.Reregister'];
        peer.answer(message as Envelope, 'agent.Reregistered', { agent_id: body.agent_info.id!, master_id: name, ping_interval_ms: 15_000, max_missed_pings: 5 });
      }
      return true;
    });
  }
  protected override initialize(): void {
    this.lead(this.epoch);
    super.initialize();
  }
}

const record = (pid: string, epoch: number): LeaderRecord => ({ pid, epoch, contender: pid, lease_ms: 5_000 });

describe('agent following the leading master', () => {
  let cluster: Cluster | undefined;
  let other: Runtime | undefined;
  afterEach(async () => {
    await other?.stop();
    await cluster?.stop();
    cluster = undefined;
    other = undefined;
  });

  /** An agent registered with `master@master` (epoch 0), and a second master B leading at epoch 2 once told. */
  async function twoMasters(): Promise<{ c: Cluster; detector: HandDetector; b: LeadingPeer }> {
    const detector = new HandDetector(record('master@master', 0));
    const network = new MemoryNetwork();
    const c = await startCluster({ agent: { detector }, network });
    await c.advance(2_000);
    expect(c.agent.id).to.equal('S0');
    other = await Runtime.create({ transport: network.transport('master-b'), clock: c.clock, random: new Random(9), logger: memoryLogger() });
    const b = other.spawn(new LeadingPeer('master', 2));
    c.master.clear();
    return { c, detector, b };
  }

  it('re-registers with the new leader, with its id and tasks, when the detector reports it', async () => {
    const { c, detector, b } = await twoMasters();
    cluster = c;
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('t1') });
    await c.settle();
    detector.set(record(b.pid, 2));
    await c.advance(2_000, 100);
    const [rereg] = b.got('agent.Reregister');
    expect(rereg!.agent_info.id).to.deep.equal({ value: 'S0' });
    expect(rereg!.tasks.map((t) => t.task_id.value)).to.deep.equal(['t1']);
    expect(c.master.got('agent.Reregister')).to.deep.equal([]);
  });

  it('ignores a deposed leader: its stale epoch launches nothing', async () => {
    const { c, detector, b } = await twoMasters();
    cluster = c;
    detector.set(record(b.pid, 2));
    await c.advance(2_000, 100);
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('old') });
    await c.settle();
    expect(c.host.spawns).to.deep.equal([]);
    b.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('new') });
    await c.settle();
    expect(c.host.spawns.map((s) => s.executor_info.executor_id.value)).to.deep.equal(['new']);
  });

  it('follows a later epoch heard before the detector says so', async () => {
    const { c, b } = await twoMasters();
    cluster = c;
    b.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('t1') });
    await c.advance(2_000, 100);
    expect(c.host.spawns).to.have.length(1);
    expect(b.got('agent.Reregister')).to.have.length(1);
  });

  it('follows the leader a standby names in master.NotLeader', async () => {
    const { c, b } = await twoMasters();
    cluster = c;
    c.master.tell(c.agent.pid, 'master.NotLeader', { leader: record(b.pid, 2), refused: 'agent.StatusUpdate' });
    await c.advance(2_000, 100);
    expect(b.got('agent.Reregister')).to.have.length(1);
  });
});
