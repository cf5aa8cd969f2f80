import { Resources, type Messages, type Offer } from '@tessera/protocol';
import type { Timer } from '@tessera/process';
import { toFramework, type MasterContext } from './master-context.js';
import type { OutstandingOffer } from './offer-book.js';
import { drainingMachineOf } from './operator/maintenance.js';

/**
 * Turns the allocator's allocations into offers and keeps them honest: each offer is sent once,
 * used once, and when it can no longer be used (its agent went away, its framework failed over,
 * it timed out) it is rescinded and its resources go back to the allocator.
 */
export class Offers {
  private readonly timers = new Map<string, Timer>();

  constructor(private readonly context: MasterContext) {}

  /** The allocator's offers: one OFFERS event per framework with everything it got. */
  onAllocatorOffers(body: Messages['allocator.Offers']): void {
    const { state } = this.context;
    const batches = new Map<string, Offer[]>();
    for (const allocation of body.offers) {
      const framework = state.frameworks.get(allocation.framework_id);
      const agent = state.agents.get(allocation.agent_id);
      if (framework?.pid === undefined || framework.lifecycle.value !== 'active' || !state.isAgentUp(agent) || state.deactivatedAgents.has(agent.id)) {
        // The allocator has not heard yet that this framework or agent went away.
        this.context.toAllocator('allocator.Recover', { framework_id: allocation.framework_id, agent_id: allocation.agent_id, resources: allocation.resources });
        continue;
      }
      const executorIds = [...(framework.executors.get(agent.id)?.keys() ?? [])].map((value) => ({ value }));
      // An agent on a machine scheduled for maintenance: the offer says when it goes away.
      const unavailability = drainingMachineOf(state, agent)?.unavailability;
      const offer: Offer = {
        id: { value: this.context.ids.offerId() },
        framework_id: { value: framework.id },
        agent_id: { value: agent.id },
        hostname: agent.info.hostname,
        resources: allocation.resources,
        allocation_info: { role: allocation.role },
        ...(agent.info.attributes === undefined || agent.info.attributes.length === 0 ? {} : { attributes: agent.info.attributes }),
        ...(executorIds.length === 0 ? {} : { executor_ids: executorIds }),
        ...(unavailability === undefined ? {} : { unavailability }),
      };
      state.offers.add({ id: offer.id.value, frameworkId: framework.id, agentId: agent.id, resources: Resources.of(offer.resources), offer, role: allocation.role });
      this.armTimeout(offer.id.value);
      let batch = batches.get(framework.id);
      if (batch === undefined) batches.set(framework.id, (batch = []));
      batch.push(offer);
    }
    for (const [frameworkId, offers] of batches) {
      toFramework(this.context, state.frameworks.get(frameworkId)!, { type: 'OFFERS', offers: { offers } });
      this.context.count('master/outstanding_offers', offers.length);
    }
  }

  /** Takes an offer out for use (ACCEPT) or return (DECLINE); undefined when it is not valid. */
  take(offerId: string): OutstandingOffer | undefined {
    const record = this.context.state.offers.remove(offerId);
    if (record !== undefined) this.disarm(offerId);
    return record;
  }

  /**
   * Withdraws an offer: the framework hears RESCIND, and the resources go back to the allocator
   * unless the agent itself is gone from it.
   */
  rescind(offerId: string, options: { recover: boolean; refuseSeconds?: number }): void {
    const record = this.take(offerId);
    if (record === undefined) return;
    const framework = this.context.state.frameworks.get(record.frameworkId);
    if (framework !== undefined) toFramework(this.context, framework, { type: 'RESCIND', rescind: { offer_id: { value: offerId } } });
    if (options.recover) this.recover(record.frameworkId, record.agentId, record.resources, options.refuseSeconds);
    this.context.count('master/offers_rescinded');
  }

  rescindOnAgent(agentId: string, options: { recover: boolean }): void {
    for (const offer of this.context.state.offers.onAgent(agentId)) this.rescind(offer.id, options);
  }

  rescindOfFramework(frameworkId: string): void {
    for (const offer of this.context.state.offers.ofFramework(frameworkId)) this.rescind(offer.id, { recover: true });
  }

  /** Gives resources back to the allocator, with a refusal filter when one is asked. */
  recover(frameworkId: string, agentId: string, resources: Resources, refuseSeconds?: number): void {
    const agent = this.context.state.agents.get(agentId);
    // An unreachable agent is out of the allocator: its resources are not anyone's to give back.
    if (resources.isEmpty() || !this.context.state.frameworks.has(frameworkId) || agent === undefined || (agent.lifecycle.value !== 'registered' && agent.lifecycle.value !== 'disconnected')) return;
    this.context.toAllocator('allocator.Recover', {
      framework_id: frameworkId,
      agent_id: agentId,
      resources: resources.toJSON(),
      ...(refuseSeconds === undefined ? {} : { refuse_seconds: refuseSeconds }),
    });
  }

  private armTimeout(offerId: string): void {
    const timeout = this.context.flags.offerTimeoutMs;
    if (timeout === undefined) return;
    this.timers.set(offerId, this.context.delay(timeout, () => {
      this.timers.delete(offerId);
      this.rescind(offerId, { recover: true });
    }));
  }

  private disarm(offerId: string): void {
    this.timers.get(offerId)?.cancel();
    this.timers.delete(offerId);
  }
}
