import { expect } from 'chai';
import type { TaskState, TaskStatus } from '@tessera/protocol';
import { StatusUpdateManager } from '../src/status-update-manager.js';

const status = (task: string, state: TaskState, uuid: string): TaskStatus => ({ task_id: { value: task }, state, uuid });

describe('status update manager', () => {
  it('sends a task\'s first update at once and holds the next until the first is acknowledged', () => {
    const m = new StatusUpdateManager();
    expect(m.update(status('t', 'TASK_RUNNING', 'u1'), 0)?.uuid).to.equal('u1');
    expect(m.update(status('t', 'TASK_FINISHED', 'u2'), 0)).to.equal(undefined);
    const ack = m.acknowledge('t', 'u1', 5);
    expect(ack.ok && ack.next?.uuid).to.equal('u2');
  });

  it('resends an unacknowledged update with doubling back-off, 10 s up to 10 min', () => {
    const m = new StatusUpdateManager();
    m.update(status('t', 'TASK_RUNNING', 'u1'), 0);
    const retries: number[] = [];
    for (let now = 0; now <= 1_300_000; now += 1_000) if (m.due(now).length > 0) retries.push(now);
    // Sent at 0; resent at 10 s, then 20, 40, 80, 160, 320, 600 (capped) seconds apart.
    expect(retries).to.deep.equal([10_000, 30_000, 70_000, 150_000, 310_000, 630_000, 1_230_000]);
  });

  it('does not resend an acknowledged update', () => {
    const m = new StatusUpdateManager();
    m.update(status('t', 'TASK_RUNNING', 'u1'), 0);
    m.acknowledge('t', 'u1', 1);
    expect(m.due(1_000_000)).to.deep.equal([]);
    expect(m.nextRetryAt()).to.equal(undefined);
  });

  it('ignores an acknowledgement of anything but the update waiting for one', () => {
    const m = new StatusUpdateManager();
    m.update(status('t', 'TASK_RUNNING', 'u1'), 0);
    expect(m.acknowledge('t', 'stale', 1)).to.deep.equal({ ok: false, error: 'task t: the update waiting for an ack is u1, not stale' });
    expect(m.unacknowledged().get('t')!.map((s) => s.uuid)).to.deep.equal(['u1']);
  });

  it('keeps streams of different tasks independent', () => {
    const m = new StatusUpdateManager();
    m.update(status('a', 'TASK_RUNNING', 'a1'), 0);
    expect(m.update(status('b', 'TASK_RUNNING', 'b1'), 0)?.uuid).to.equal('b1');
  });

  it('closes a task\'s stream once its terminal update is acknowledged', () => {
    const m = new StatusUpdateManager();
    m.update(status('t', 'TASK_FAILED', 'u1'), 0);
    m.acknowledge('t', 'u1', 1);
    expect(() => m.update(status('t', 'TASK_RUNNING', 'u9'), 2)).to.throw(/already ended/);
    const m2 = new StatusUpdateManager();
    m2.update(status('t', 'TASK_FAILED', 'u1'), 0);
    m2.update(status('t', 'TASK_RUNNING', 'u2'), 0);
    m2.acknowledge('t', 'u1', 1);
    expect(() => m2.update(status('t', 'TASK_RUNNING', 'u3'), 2)).to.throw(/already ended/);
  });

  it('refuses an update without a uuid', () => {
    expect(() => new StatusUpdateManager().update({ task_id: { value: 't' }, state: 'TASK_RUNNING' }, 0)).to.throw(/needs a uuid/);
  });
});
