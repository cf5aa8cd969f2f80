import { expect } from 'chai';
import type { TaskStatus } from '@tessera/protocol';
import { Backoff, UnacknowledgedBook } from '../src/unacknowledged.js';

const status = (task: string, uuid: string): TaskStatus => ({ task_id: { value: task }, state: 'TASK_RUNNING', uuid });

describe('UnacknowledgedBook', () => {
  it('keeps updates in order until acknowledged by task and uuid', () => {
    const book = new UnacknowledgedBook();
    book.add(status('t1', 'u1'), 0);
    book.add(status('t2', 'u2'), 0);
    expect(book.acknowledge('t2', 'u1')).to.equal(false);
    expect(book.acknowledge('t1', 'u1')).to.equal(true);
    expect(book.acknowledge('t1', 'u1')).to.equal(false);
    expect(book.statuses().map((s) => s.uuid)).to.deep.equal(['u2']);
  });

  it('makes an update due a whole interval after it was last sent, and not before', () => {
    const book = new UnacknowledgedBook(10_000);
    book.add(status('t1', 'u1'), 0);
    book.add(status('t1', 'u2'), 4_000);
    book.add(status('t1', 'u3'), undefined);
    expect(book.nextDueAt()).to.equal(10_000);
    expect(book.due(9_999)).to.deep.equal([]);
    expect(book.due(10_000).map((s) => s.uuid)).to.deep.equal(['u1']);
    expect(book.nextDueAt()).to.equal(14_000);
  });

  it('replays launched tasks until one of their updates is acknowledged', () => {
    const book = new UnacknowledgedBook();
    book.launched({ name: 't1', task_id: { value: 't1' }, agent_id: { value: 'a' }, resources: [] });
    book.add(status('t1', 'u1'), 0);
    expect(book.unacknowledgedTasks().map((t) => t.task_id.value)).to.deep.equal(['t1']);
    book.acknowledge('t1', 'u1');
    expect(book.unacknowledgedTasks()).to.deep.equal([]);
  });
});

describe('Backoff', () => {
  it('doubles from min to max, each wait stretched by up to half by jitter', () => {
    const backoff = new Backoff(1_000, 30_000);
    expect([0, 0, 0, 0, 0, 0, 0].map((f) => backoff.next(f))).to.deep.equal([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    backoff.reset();
    expect(backoff.next(0.999)).to.equal(1_500);
  });
});
