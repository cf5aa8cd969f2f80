import { expect } from 'chai';
import type { LeaderRecord } from '@tessera/protocol';
import { ManualClock } from '@tessera/process';
import { LeaderElector, LeaseConflictError, MemoryLeaseStore, type LeaseStore, type StoredLease } from '../src/index.js';

/** A store whose writes can be made to fail, as when a master loses NATS. */
class FlakyStore implements LeaseStore {
  failing = false;
  constructor(private readonly inner: MemoryLeaseStore) {}
  read(): Promise<StoredLease | undefined> {
    return this.inner.read();
  }
  write(record: LeaderRecord, revision: number | undefined): Promise<number> {
    return this.failing ? Promise.reject(new Error('nats: disconnected')) : this.inner.write(record, revision);
  }
  watch(fn: (lease: StoredLease | undefined) => void): () => void {
    return this.inner.watch((lease) => {
      if (!this.failing) fn(lease);
    });
  }
}

/** A store that can lose the answer to a write that it made (a JetStream timeout after the write landed). */
class LostAnswerStore implements LeaseStore {
  loseAnswers = 0;
  constructor(private readonly inner: MemoryLeaseStore) {}
  read(): Promise<StoredLease | undefined> {
    return this.inner.read();
  }
  async write(record: LeaderRecord, revision: number | undefined): Promise<number> {
    const written = await this.inner.write(record, revision);
    if (this.loseAnswers === 0) return written;
    this.loseAnswers -= 1;
    throw new Error('TIMEOUT');
  }
  watch(fn: (lease: StoredLease | undefined) => void): () => void {
    return this.inner.watch(fn);
  }
}

interface Contender {
  elector: LeaderElector;
  events: string[];
}

const LEASE_MS = 1_000;

function contender(name: string, store: LeaseStore, clock: ManualClock, leaderGone?: (leader: LeaderRecord) => Promise<boolean>): Contender {
  const events: string[] = [];
  const elector = new LeaderElector({
    store, clock, contender: name, candidate: { pid: `master@${name}` }, leaseMs: LEASE_MS, ...(leaderGone === undefined ? {} : { leaderGone, probeMs: 100 }),
    onElected: (record) => events.push(`elected ${record.epoch}`),
    onDeposed: () => events.push('deposed'),
  });
  return { elector, events };
}

/** Lets promise chains run between clock steps. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

async function advance(clock: ManualClock, ms: number, step = 50): Promise<void> {
  for (let left = ms; left > 0; left -= step) {
    clock.advance(Math.min(step, left));
    await flush();
  }
}

/** Contender `a` leading over a store that can be made to fail (as if a died or lost NATS). */
async function leaderOnFlakyStore(): Promise<{ clock: ManualClock; memory: MemoryLeaseStore; flaky: FlakyStore; a: Contender }> {
  const clock = new ManualClock();
  const memory = new MemoryLeaseStore();
  const flaky = new FlakyStore(memory);
  const a = contender('a', flaky, clock);
  a.elector.start();
  await flush();
  return { clock, memory, flaky, a };
}

/** Advances the clock 10 ms at a time until `done`; the time it took, or undefined past `withinMs`. */
async function msUntil(clock: ManualClock, done: () => boolean, withinMs: number): Promise<number | undefined> {
  for (let t = 0; t < withinMs; t += 10) {
    await advance(clock, 10, 10);
    if (done()) return t + 10;
  }
  return undefined;
}

describe('leader election over a lease with compare-and-set', () => {
  it('elects the only contender at once, with epoch 1, and keeps it leading by renewals', async () => {
    const clock = new ManualClock();
    const store = new MemoryLeaseStore();
    const a = contender('a', store, clock);
    a.elector.start();
    await flush();
    expect(a.events).to.deep.equal(['elected 1']);
    await advance(clock, 10 * LEASE_MS);
    expect(a.events).to.deep.equal(['elected 1']);
    expect((await store.read())!.record).to.include({ pid: 'master@a', epoch: 1 });
    expect((await store.read())!.revision).to.be.greaterThan(10);
  });

  it('lets one of two contenders lead; the other takes over with the next epoch only after a whole lease of silence', async () => {
    const { clock, memory, flaky, a } = await leaderOnFlakyStore();
    const b = contender('b', memory, clock);
    b.elector.start();
    await advance(clock, 3 * LEASE_MS);
    expect(a.events).to.deep.equal(['elected 1']);
    expect(b.events).to.deep.equal([]);
    flaky.failing = true; // a is cut off: it cannot renew, and hears nothing
    const cutAt = clock.now();
    let deposedAt: number | undefined;
    let electedAt: number | undefined;
    for (let t = 0; t < 3 * LEASE_MS && electedAt === undefined; t += 10) {
      await advance(clock, 10, 10);
      if (deposedAt === undefined && a.events.includes('deposed')) deposedAt = clock.now();
      if (b.events.includes('elected 2')) electedAt = clock.now();
    }
    expect(deposedAt, 'the cut-off leader steps down').to.not.equal(undefined);
    expect(electedAt, 'the standby takes over').to.not.equal(undefined);
    // Never two leaders: the old one stopped before the new one started.
    expect(deposedAt!).to.be.lessThan(electedAt!);
    expect(deposedAt! - cutAt).to.be.at.most(LEASE_MS);
    expect((await memory.read())!.record).to.include({ pid: 'master@b', epoch: 2 });
  });

  it('hands the lease over at once when the leader stops cleanly (released), keeping the epochs rising', async () => {
    const clock = new ManualClock();
    const store = new MemoryLeaseStore();
    const a = contender('a', store, clock);
    const b = contender('b', store, clock);
    a.elector.start();
    await flush();
    b.elector.start();
    await flush();
    await a.elector.stop();
    await flush();
    expect(a.events).to.deep.equal(['elected 1', 'deposed']);
    expect(b.events).to.deep.equal(['elected 2']);
  });

  it('takes the lease at once, before it expires, when the leader\'s process is known gone', async () => {
    const { clock, memory, flaky, a } = await leaderOnFlakyStore();
    const gone = new Set<string>();
    const asked: string[] = [];
    const b = contender('b', memory, clock, async (leader) => {
      asked.push(leader.pid);
      return gone.has(leader.pid);
    });
    b.elector.start();
    await advance(clock, 3 * LEASE_MS);
    expect(b.events, 'a present leader is left alone').to.deep.equal([]);
    expect(asked.length).to.be.greaterThan(20);
    expect(new Set(asked)).to.deep.equal(new Set(['master@a']));
    flaky.failing = true; // a dies: it renews no more
    gone.add('master@a');
    const tookMs = await msUntil(clock, () => b.events.includes('elected 2'), LEASE_MS);
    expect(tookMs, 'b leads').to.not.equal(undefined);
    expect(tookMs!, 'two "gone" answers 100 ms apart').to.be.at.most(200);
    expect((await memory.read())!.record).to.include({ pid: 'master@b', epoch: 2 });
  });

  it('does not wait on a probe that is never answered (one sent as the leader died)', async () => {
    const { clock, memory, flaky, a } = await leaderOnFlakyStore();
    let dead = false;
    let unanswered = 0;
    const b = contender('b', memory, clock, (leader) => {
      if (!dead) return Promise.resolve(false);
      if (unanswered++ === 0) return new Promise<boolean>(() => undefined); // lost with the dying connection
      return Promise.resolve(leader.pid === 'master@a');
    });
    b.elector.start();
    await advance(clock, 2 * LEASE_MS);
    flaky.failing = true;
    dead = true;
    const tookMs = await msUntil(clock, () => b.events.includes('elected 2'), LEASE_MS);
    expect(tookMs, 'b leads before the lease would expire').to.not.equal(undefined);
    expect(tookMs!, 'one probe given up (400 ms), then two answers').to.be.at.most(700);
  });

  it('keeps a leader that is absent only once (its client reconnecting to another NATS server)', async () => {
    const { clock, memory: store, a } = await leaderOnFlakyStore();
    let answer = 0;
    const b = contender('b', store, clock, async () => (answer += 1) % 2 === 0);
    b.elector.start();
    await advance(clock, 3 * LEASE_MS);
    expect(answer).to.be.greaterThan(20);
    expect(b.events).to.deep.equal([]);
    expect(a.events).to.deep.equal(['elected 1']);
  });

  it('does not take the lease on a "gone" answer that comes after the leader renewed', async () => {
    const { clock, memory, flaky, a } = await leaderOnFlakyStore();
    const answers: ((gone: boolean) => void)[] = [];
    const b = contender('b', memory, clock, () => new Promise<boolean>((resolve) => answers.push(resolve)));
    b.elector.start();
    await advance(clock, LEASE_MS);
    flaky.failing = true; // a's renewals stall for a while: the lease stands still
    await advance(clock, 300);
    for (const answer of answers.splice(0)) answer(false);
    await advance(clock, 150);
    expect(answers, 'one probe at a time').to.have.length(1);
    answers.shift()!(true); // the first "gone"
    await advance(clock, 150);
    expect(answers).to.have.length(1);
    const revision = (await memory.read())!.revision;
    flaky.failing = false;
    await advance(clock, 250); // a renews before its deadline (and before b's probe times out)
    expect((await memory.read())!.revision).to.be.greaterThan(revision);
    answers.shift()!(true); // the second "gone" in a row, but stale: a lived on
    await flush();
    for (let t = 0; t < 2 * LEASE_MS; t += 50) {
      for (const answer of answers.splice(0)) answer(false);
      await advance(clock, 50);
    }
    expect(b.events).to.deep.equal([]);
    expect(a.events).to.deep.equal(['elected 1']);
    expect((await memory.read())!.record).to.include({ pid: 'master@a', epoch: 1 });
  });

  it('keeps leading when a renewal landed but its answer was lost (the retry finds its own write)', async () => {
    const clock = new ManualClock();
    const memory = new MemoryLeaseStore();
    const lossy = new LostAnswerStore(memory);
    const a = contender('a', lossy, clock);
    a.elector.start();
    await flush();
    const b = contender('b', memory, clock, async () => false);
    b.elector.start();
    await advance(clock, LEASE_MS);
    lossy.loseAnswers = 1;
    await advance(clock, 3 * LEASE_MS);
    expect(a.events).to.deep.equal(['elected 1']);
    expect(b.events).to.deep.equal([]);
    expect((await memory.read())!.record).to.include({ pid: 'master@a', epoch: 1 });
  });

  it('leads on a lease it took though the answer was lost, without waiting a lease', async () => {
    const clock = new ManualClock();
    const memory = new MemoryLeaseStore();
    const lossy = new LostAnswerStore(memory);
    lossy.loseAnswers = 1;
    const a = contender('a', lossy, clock);
    a.elector.start();
    await flush();
    expect(a.events, 'the watch shows its own record').to.deep.equal(['elected 1']);
    await advance(clock, 3 * LEASE_MS);
    expect(a.events).to.deep.equal(['elected 1']);
    expect((await memory.read())!.revision).to.be.greaterThan(5);
  });

  it('steps down when another contender has taken the lease', async () => {
    const clock = new ManualClock();
    const store = new MemoryLeaseStore();
    const a = contender('a', store, clock);
    a.elector.start();
    await flush();
    const current = (await store.read())!;
    await store.write({ ...current.record, pid: 'master@z', contender: 'z', epoch: 7 }, current.revision);
    await flush();
    expect(a.events).to.deep.equal(['elected 1', 'deposed']);
    expect(a.elector.leading).to.equal(undefined);
    expect(a.elector.leader).to.include({ pid: 'master@z', epoch: 7 });
  });

  it('refuses a renewal interval that leaves no room in the lease', () => {
    const clock = new ManualClock();
    expect(() => new LeaderElector({
      store: new MemoryLeaseStore(), clock, contender: 'a', candidate: { pid: 'master@a' }, leaseMs: 1_000, renewMs: 950, onElected() {}, onDeposed() {},
    })).to.throw(/longer than its renewal interval/);
  });

  it('makes the memory store refuse a write at a stale revision', async () => {
    const store = new MemoryLeaseStore();
    const record = { pid: 'master@a', epoch: 1, contender: 'a', lease_ms: 1_000 };
    const revision = await store.write(record, undefined);
    await store.write(record, revision);
    let error: unknown;
    await store.write(record, revision).catch((e: unknown) => { error = e; });
    expect(error).to.be.instanceOf(LeaseConflictError);
  });
});
