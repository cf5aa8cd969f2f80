// A framework written against Mesos's scheduler API in the tests' raw client: what a Mesos
// framework does by hand (subscribe, answer offers, acknowledge updates), recorded for asserting.
import os from 'node:os';
import { expect } from 'chai';
import { Resources } from '@tessera/protocol';
import { JSON_CODEC, post, subscribe, type CallAnswer, type ClientCodec, type EventStream, type Subscription } from './scheduler-api-client.js';

/** Resources of one small task, allocated to the offer's role as Mesos requires. */
export function taskResources(role: string, spec = 'cpus:0.1;mem:32'): object[] {
  return Resources.parse(spec).withAllocation(role).toJSON() as object[];
}

export function commandTask(id: string, command: string, offer: any, spec?: string): object {
  return {
    name: id, task_id: { value: id }, agent_id: offer.agent_id,
    resources: taskResources(offer.allocation_info?.role ?? '*', spec),
    command: { shell: true, value: command },
  };
}

/**
 * A framework as a Mesos framework writes one: it acknowledges every update that carries a uuid
 * as it arrives (the agent sends a task's next update only once the last is acknowledged), and
 * records the answers to its acknowledgements.
 */
export class HttpFramework {
  frameworkId = '';
  subscription!: Subscription;
  readonly acknowledgements: Promise<CallAnswer>[] = [];
  /** Offers received and not yet answered or rescinded, by id. */
  readonly outstanding = new Map<string, any>();
  /** Called with each offer as it arrives, after it is recorded as outstanding. */
  onOffer: ((offer: any) => void) | undefined;

  constructor(readonly base: string, readonly codec: ClientCodec = JSON_CODEC, readonly info: Record<string, unknown> = {}) {}

  get events(): EventStream {
    return this.subscription.events;
  }

  get streamId(): string {
    return this.subscription.streamId;
  }

  /** Subscribes (again, with its id, once it has one) and waits for SUBSCRIBED. */
  async subscribe(): Promise<any> {
    const framework_info = { user: os.userInfo().username, name: 'raw-http', roles: ['*'], ...this.info, ...(this.frameworkId === '' ? {} : { id: { value: this.frameworkId } }) };
    this.subscription = await subscribe(this.base, { type: 'SUBSCRIBE', ...(this.frameworkId === '' ? {} : { framework_id: { value: this.frameworkId } }), subscribe: { framework_info } }, this.codec);
    this.subscription.events.onEvent = (event) => {
      // At once: an OFFERS may come in the same chunk, and its answer needs the id.
      if (event.type === 'SUBSCRIBED') this.frameworkId = event.subscribed.framework_id.value;
      if (event.type === 'UPDATE' && event.update.status.uuid !== undefined) this.acknowledgements.push(this.acknowledge(event.update.status));
      if (event.type === 'OFFERS') {
        for (const offer of event.offers.offers) {
          this.outstanding.set(offer.id.value, offer);
          this.onOffer?.(offer);
        }
      }
      if (event.type === 'RESCIND') this.outstanding.delete(event.rescind.offer_id.value);
    };
    expect(this.subscription.response.status).to.equal(200);
    const subscribed = await this.events.next((e) => e.type === 'SUBSCRIBED' || e.type === 'ERROR');
    expect(subscribed.type, JSON.stringify(subscribed)).to.equal('SUBSCRIBED');
    this.frameworkId = subscribed.subscribed.framework_id.value;
    return subscribed;
  }

  /** Sends a call of this framework on its own connection, with the stream's id. */
  call(type: string, payload?: object, headers: Record<string, string> = {}): Promise<CallAnswer> {
    const body = { type, framework_id: { value: this.frameworkId }, ...(payload === undefined ? {} : { [type.toLowerCase()]: payload }) };
    return post(this.base, body, { codec: this.codec, streamId: this.streamId, headers });
  }

  /** The next offer from event index `from` on. */
  async offer(from = 0): Promise<any> {
    const event = await this.events.next((e) => e.type === 'OFFERS' && e.offers.offers.length > 0, from);
    return event.offers.offers[0];
  }

  /** The cpus of the outstanding offers. */
  offeredCpus(): number {
    const cpus = (offer: any): number => offer.resources.filter((r: any) => r.name === 'cpus').reduce((sum: number, r: any) => sum + r.scalar.value, 0);
    return [...this.outstanding.values()].reduce((sum, offer) => sum + cpus(offer), 0);
  }

  /** Declines one offer. */
  async decline(offer: any, refuseSeconds: number): Promise<CallAnswer> {
    this.outstanding.delete(offer.id.value);
    return this.call('DECLINE', { offer_ids: [offer.id], filters: { refuse_seconds: refuseSeconds } });
  }

  /** Declines every outstanding offer. */
  async declineAll(refuseSeconds: number): Promise<CallAnswer> {
    const offerIds = [...this.outstanding.values()].map((offer) => offer.id);
    this.outstanding.clear();
    return this.call('DECLINE', { offer_ids: offerIds, filters: { refuse_seconds: refuseSeconds } });
  }

  /** The first UPDATE of a task in `state`. */
  update(taskId: string, state: string): Promise<any> {
    return this.events.next((e) => e.type === 'UPDATE' && e.update.status.task_id.value === taskId && e.update.status.state === state).then((e) => e.update.status);
  }

  async acknowledge(status: any): Promise<CallAnswer> {
    return this.call('ACKNOWLEDGE', { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid });
  }

  async launch(offer: any, tasks: object[], refuseSeconds = 0.05): Promise<CallAnswer> {
    this.outstanding.delete(offer.id.value);
    return this.call('ACCEPT', { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters: { refuse_seconds: refuseSeconds } });
  }
}
