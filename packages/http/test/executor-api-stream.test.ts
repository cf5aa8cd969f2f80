import { expect } from 'chai';
import { ManualClock, MemoryNetwork, Process, Random, Runtime, memoryLogger, type ExitReason, type UPID } from '@tessera/process';
import type { Envelope, Messages } from '@tessera/protocol';
import { ExecutorStream } from '../src/agent-http/executor-api/executor-stream.js';
import { ExecutorSubscriptions } from '../src/agent-http/executor-api/executor-subscriptions.js';

type Call = Messages['executor.Call'];
type Event = Messages['executor.Event'];

/** Stands in for the agent: records the executor calls, answers SUBSCRIBE, links to the subscriber. */
class FakeAgent extends Process {
  readonly calls: { from: UPID; call: Call }[] = [];
  readonly exits: UPID[] = [];
  protected initialize(): void {
    this.install('executor.Call', (call: Call, message: Envelope<'executor.Call'>) => {
      this.calls.push({ from: message.from, call });
      if (call.type !== 'SUBSCRIBE') return;
      this.link(message.from);
      this.send(message.from, 'executor.Event', {
        type: 'SUBSCRIBED',
        subscribed: { executor_info: { executor_id: call.executor_id }, framework_info: { user: 'u', name: 'f', id: call.framework_id }, agent_info: { hostname: 'h', resources: [] } },
      });
    });
  }

  protected override exited(pid: UPID, _reason: ExitReason): void {
    this.exits.push(pid);
  }

  tell(to: UPID, event: Event): void {
    this.send(to, 'executor.Event', event);
  }

  stop(): void {
    this.terminate();
  }
}

const subscribe = (updates: string[] = []): Call => ({
  framework_id: { value: 'F' },
  executor_id: { value: 'E' },
  type: 'SUBSCRIBE',
  subscribe: { unacknowledged_updates: updates.map((uuid) => ({ status: { task_id: { value: 't' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid } })) },
});

async function setup(options: { updates?: string[]; heartbeatMs?: number; disconnectGraceMs?: number } = {}) {
  const clock = new ManualClock();
  const runtime = await Runtime.create({ transport: new MemoryNetwork().transport('agent-node'), clock, logger: memoryLogger(), random: new Random(4) });
  const agent = runtime.spawn(new FakeAgent('agent'));
  const subscriptions = new ExecutorSubscriptions(runtime);
  const written: Event[] = [];
  let ended = false;
  const open = (name: string): ExecutorStream => runtime.spawn(new ExecutorStream(name, {
    agent: agent.pid,
    subscribe: subscribe(options.updates),
    heartbeatMs: options.heartbeatMs ?? 1_000,
    disconnectGraceMs: options.disconnectGraceMs ?? 2_000,
    write: (event) => written.push(event),
    subscribed: (stream) => subscriptions.subscribed(stream),
    ended: (stream) => { subscriptions.ended(stream); ended = true; },
  }));
  const stream = open('stream-1');
  await clock.settle();
  return { clock, runtime, agent, stream, written, subscriptions, open, isEnded: () => ended };
}

describe('ExecutorStream: an executor\'s SUBSCRIBE stream as an actor', () => {
  it('subscribes as itself, writes SUBSCRIBED, then replays the updates the executor holds unacknowledged as UPDATEs, in order', async () => {
    const { agent, stream, written, subscriptions } = await setup({ updates: ['u1', 'u2'] });
    expect(agent.calls.map(({ from, call }) => [from, call.type, call.update?.status.uuid])).to.deep.equal([
      [stream.pid, 'SUBSCRIBE', undefined], [stream.pid, 'UPDATE', 'u1'], [stream.pid, 'UPDATE', 'u2'],
    ]);
    expect(written.map((e) => e.type)).to.deep.equal(['SUBSCRIBED']);
    expect(subscriptions.get('F', 'E')).to.equal(stream);
  });

  it('writes a HEARTBEAT every interval, and none before it', async () => {
    const { clock, written } = await setup({ heartbeatMs: 1_000 });
    clock.advance(999);
    await clock.settle();
    expect(written.map((e) => e.type)).to.deep.equal(['SUBSCRIBED']);
    clock.advance(1);
    await clock.settle();
    clock.advance(1_000);
    await clock.settle();
    expect(written.map((e) => e.type)).to.deep.equal(['SUBSCRIBED', 'HEARTBEAT', 'HEARTBEAT']);
  });

  it('outlives a dropped connection by the grace period only; then the agent sees it exit', async () => {
    const { clock, runtime, agent, stream, subscriptions, isEnded } = await setup({ disconnectGraceMs: 2_000 });
    await runtime.dispatch(stream.pid, () => stream.disconnected());
    clock.advance(1_999);
    await clock.settle();
    expect([isEnded(), agent.exits]).to.deep.equal([false, []]);
    clock.advance(1);
    await clock.settle();
    expect([isEnded(), agent.exits, subscriptions.size]).to.deep.equal([true, [stream.pid], 0]);
  });

  it('ends at once when the agent asks for a new subscription (HEARTBEAT) or goes away', async () => {
    const first = await setup();
    await first.runtime.dispatch(first.agent.pid, () => first.agent.tell(first.stream.pid, { type: 'HEARTBEAT' }));
    await first.clock.settle();
    expect(first.isEnded()).to.equal(true);
    expect(first.written.map((e) => e.type)).to.deep.equal(['SUBSCRIBED']);
    const second = await setup();
    await second.runtime.dispatch(second.agent.pid, () => second.agent.stop());
    await second.clock.settle();
    expect(second.isEnded()).to.equal(true);
  });

  it('a newer subscription of the same executor replaces and ends the older one', async () => {
    const { clock, stream, subscriptions, open, isEnded } = await setup();
    const newer = open('stream-2');
    await clock.settle();
    expect(subscriptions.get('F', 'E')).to.equal(newer);
    expect(isEnded()).to.equal(true);
    expect(subscriptions.get('F', 'E')).to.not.equal(stream);
  });
});
