import { Process, type ExitReason, type UPID } from '@tessera/process';
import type { Envelope, LeaderRecord, Messages } from '@tessera/protocol';

type Call = Messages['scheduler.Call'];
type Event = Messages['scheduler.Event'];

/** How the fake master answers a SUBSCRIBE. */
export type SubscribeAnswer =
  | { kind: 'subscribed'; frameworkId?: string; heartbeatSeconds?: number }
  | { kind: 'error'; message: string }
  | { kind: 'ignore' }
  /** A standby's answer, naming the leader it knows (if any). */
  | { kind: 'not-leader'; leader?: LeaderRecord };

/** One call the fake master received. */
export interface ReceivedCall {
  from: UPID;
  at: number;
  call: Call;
}

/**
 * A stand-in for the master, on the contract the driver is built against: it records every
 * call, answers SUBSCRIBE as told (SUBSCRIBED with a framework id, ERROR, or silence), links the
 * subscriber, and sends whatever events a test asks for. No heartbeats unless a test sends them.
 */
export class FakeMaster extends Process {
  readonly calls: ReceivedCall[] = [];
  readonly exits: { pid: UPID; reason: ExitReason }[] = [];
  /** Decides the answer to the n-th SUBSCRIBE (0-based). */
  answer: (call: Call, n: number) => SubscribeAnswer = () => ({ kind: 'subscribed' });
  /** Called after each call is recorded (and after SUBSCRIBE is answered). */
  onCall: ((call: Call, from: UPID) => void) | undefined;
  private subscribes = 0;

  constructor(name = 'master') {
    super(name);
  }

  protected initialize(): void {
    this.install('scheduler.Call', this.onSchedulerCall);
  }

  protected override exited(pid: UPID, reason: ExitReason): void {
    this.exits.push({ pid, reason });
  }

  /** From now on everything this master sends carries `epoch`, as an elected leader's messages do. */
  leadAt(epoch: number): void {
    this.lead(epoch);
  }

  /** Sends an event to a scheduler. */
  event(to: UPID, event: Event): void {
    this.send(to, 'scheduler.Event', event);
  }

  /** The calls of one type, in arrival order. */
  callsOf(type: Call['type']): Call[] {
    return this.calls.filter((c) => c.call.type === type).map((c) => c.call);
  }

  /** Every call but SUBSCRIBE. */
  nonSubscribeCalls(): Call[] {
    return this.calls.filter((c) => c.call.type !== 'SUBSCRIBE').map((c) => c.call);
  }

  private onSchedulerCall = (call: Call, message: Envelope<'scheduler.Call'>): void => {
    this.calls.push({ from: message.from, at: this.clock.now(), call });
    if (call.type === 'SUBSCRIBE') this.onSubscribe(call, message.from);
    this.onCall?.(call, message.from);
  };

  private onSubscribe(call: Call, from: UPID): void {
    const answer = this.answer(call, this.subscribes++);
    if (answer.kind === 'ignore') return;
    if (answer.kind === 'not-leader') {
      const body = answer.leader === undefined ? { refused: 'not the leader' } : { refused: 'not the leader', leader: answer.leader };
      return this.send(from, 'master.NotLeader', body);
    }
    if (answer.kind === 'error') return this.event(from, { type: 'ERROR', error: { message: answer.message } });
    const id = call.subscribe?.framework_info.id?.value ?? answer.frameworkId ?? 'fw-0001';
    this.link(from);
    this.event(from, {
      type: 'SUBSCRIBED',
      subscribed: { framework_id: { value: id }, heartbeat_interval_seconds: answer.heartbeatSeconds ?? 15, master_info: { id: 'm1' } },
    });
  }
}
