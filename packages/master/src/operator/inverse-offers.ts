import type { InverseOffer, Messages } from '@tessera/protocol';
import { toFramework, type MasterContext } from '../master-context.js';
import type { AgentRecord } from '../master-state.js';
import { timeInfo } from './operator-host.js';
import { drainingMachineOf, machineKey } from './maintenance.js';

type Answer = NonNullable<Messages['scheduler.Call']['accept_inverse_offers']>;

/**
 * Inverse offers (Mesos's maintenance primitives): each framework that holds resources on an agent
 * of a draining machine is asked to give them back before the unavailability, in an OFFERS event
 * with `inverse_offers`; its answer (ACCEPT or DECLINE) is recorded for GET_MAINTENANCE_STATUS.
 */
export class InverseOffers {
  /** Outstanding inverse offers by id: to whom, and for which machine. */
  private readonly outstanding = new Map<string, { frameworkId: string; machine: string }>();

  constructor(private readonly context: MasterContext) {}

  /** Sends inverse offers for the agent's draining machine to every framework with tasks there that has none yet. */
  offerFor(agent: AgentRecord): void {
    const { state } = this.context;
    const draining = drainingMachineOf(state, agent);
    if (draining === undefined) return;
    const key = machineKey(draining.machine);
    const frameworks = new Set([...agent.tasks.values()].map((r) => r.task.framework_id.value));
    for (const frameworkId of frameworks) {
      const framework = state.frameworks.get(frameworkId);
      const statuses = state.inverseOfferStatuses.get(key) ?? new Map();
      if (framework === undefined || statuses.has(frameworkId)) continue;
      const inverse: InverseOffer = {
        id: { value: this.context.ids.offerId() }, framework_id: { value: frameworkId }, agent_id: { value: agent.id }, unavailability: draining.unavailability,
      };
      this.outstanding.set(inverse.id.value, { frameworkId, machine: key });
      statuses.set(frameworkId, { status: 'UNKNOWN', framework_id: { value: frameworkId }, timestamp: timeInfo(this.context.now()) });
      state.inverseOfferStatuses.set(key, statuses);
      toFramework(this.context, framework, { type: 'OFFERS', offers: { offers: [], inverse_offers: [inverse] } });
    }
  }

  /** Forgets the machines that are no longer draining (taken down, or out of the schedule). */
  forgetMachines(keys: Iterable<string>): void {
    const gone = new Set(keys);
    for (const key of gone) this.context.state.inverseOfferStatuses.delete(key);
    for (const [id, offer] of this.outstanding) if (gone.has(offer.machine)) this.outstanding.delete(id);
  }

  /** ACCEPT_INVERSE_OFFERS / DECLINE_INVERSE_OFFERS from the framework; ids not its own are ignored. */
  answer(frameworkId: string, answer: Answer, status: 'ACCEPT' | 'DECLINE'): void {
    for (const { value } of answer.inverse_offer_ids) {
      const offer = this.outstanding.get(value);
      if (offer === undefined || offer.frameworkId !== frameworkId) {
        this.context.count('master/invalid_inverse_offer_answers');
        continue;
      }
      this.outstanding.delete(value);
      this.context.state.inverseOfferStatuses.get(offer.machine)?.set(frameworkId, { status, framework_id: { value: frameworkId }, timestamp: timeInfo(this.context.now()) });
    }
  }
}
