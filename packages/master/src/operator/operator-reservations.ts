import { Resources, roleNameError, type Resource } from '@tessera/protocol';
import { unreservedTwin } from '../accept-validation.js';
import type { MasterContext } from '../master-context.js';
import type { Offers } from '../offers.js';
import { accepted, badRequest, notFound, type OperatorAnswer } from './master-operator.js';
import { offeredOnAgent, usedOnAgent } from './operator-resources.js';

/**
 * The operator's dynamic reservations (RESERVE_RESOURCES, UNRESERVE_RESOURCES) of an agent's
 * resources that no framework uses: as Mesos, offers on the agent are rescinded when the
 * resources are only held by offers, and the call answers 202 once the master has applied it.
 * The agent is not told (Tessera's agents have no CheckpointResources message yet): the master's
 * view of the agent's total is what changes, as for a framework's RESERVE.
 */
export class ReservationCalls {
  constructor(private readonly context: MasterContext, private readonly offers: Offers) {}

  reserve(agentId: string, wire: Resource[], respond: (answer: OperatorAnswer) => void): void {
    this.convert('RESERVE_RESOURCES', agentId, wire, respond);
  }

  unreserve(agentId: string, wire: Resource[], respond: (answer: OperatorAnswer) => void): void {
    this.convert('UNRESERVE_RESOURCES', agentId, wire, respond);
  }

  private convert(type: 'RESERVE_RESOURCES' | 'UNRESERVE_RESOURCES', agentId: string, wire: Resource[], respond: (answer: OperatorAnswer) => void): void {
    const { state } = this.context;
    const agent = state.agents.get(agentId);
    if (agent === undefined || (agent.lifecycle.value !== 'registered' && agent.lifecycle.value !== 'disconnected')) {
      return respond(notFound(`${type}: no registered agent ${agentId}`));
    }
    if (wire.length === 0) return respond(badRequest(`${type}: no resources named`));
    for (const r of wire) {
      const reservation = r.reservations?.at(-1);
      if (reservation === undefined) return respond(badRequest(`${type}: resource ${r.name} names no reservation`));
      if (reservation.type !== 'DYNAMIC') return respond(badRequest(`${type}: resource ${r.name} must carry a DYNAMIC reservation, not ${reservation.type}`));
      const problem = roleNameError(reservation.role);
      if (problem !== undefined || reservation.role === '*') return respond(badRequest(`${type}: resource ${r.name}: ${problem ?? "resources cannot be reserved for '*'"}`));
      if (r.allocation_info !== undefined) return respond(badRequest(`${type}: resource ${r.name} carries allocation_info; the operator reserves unallocated resources`));
    }
    let named: Resources;
    try {
      named = Resources.of(wire);
    } catch (err) {
      return respond(badRequest(`${type}: invalid resources: ${(err as Error).message}`));
    }
    const [from, to] = type === 'RESERVE_RESOURCES' ? [unreservedTwin(named), named] : [named, unreservedTwin(named)];
    if (!agent.total.contains(from)) return respond(badRequest(`${type}: agent ${agentId} does not have ${from.toString()} (it has ${agent.total.toString()})`));
    const free = () => agent.total.subtract(usedOnAgent(state, agent).withoutAllocation());
    if (!free().contains(from)) return respond({ status: 409, error: `${type}: ${from.toString()} on agent ${agentId} is in use by tasks` });
    // What offers hold is taken back for the conversion, as Mesos rescinds them.
    if (!free().subtract(offeredOnAgent(state, agentId).withoutAllocation()).contains(from)) this.offers.rescindOnAgent(agentId, { recover: true });
    agent.total = agent.total.subtract(from).add(to);
    this.context.toAllocator('allocator.UpdateAgent', { agent_id: agentId, resources: agent.total.toJSON() });
    this.context.logger.log('info', `operator ${type === 'RESERVE_RESOURCES' ? 'reserved' : 'unreserved'} resources`, { agent: agentId, resources: named.toString() });
    respond(accepted);
  }
}
