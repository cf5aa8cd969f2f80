import type { OperatorCall } from '@tessera/protocol';
import type { MasterContext } from '../master-context.js';
import type { FrameworkRecord } from '../master-state.js';
import type { Offers } from '../offers.js';
import { badRequest, notFound, ok, type OperatorAnswer } from './master-operator.js';
import type { OperatorWrites } from './operator.js';
import type { AgentCalls } from './operator-agents.js';
import { ReservationCalls } from './operator-reservations.js';
import { RoleCalls } from './operator-roles.js';

/** What the writes need of the master's framework part. */
export interface FrameworkTeardown {
  teardown(framework: FrameworkRecord, why: string): void;
}

/** What the maintenance calls answer through (maintenance.ts implements it). */
export interface MaintenanceWrites {
  updateSchedule(schedule: NonNullable<OperatorCall['update_maintenance_schedule']>['schedule'], respond: (answer: OperatorAnswer) => void): void;
  start(machines: NonNullable<OperatorCall['start_maintenance']>['machines'], respond: (answer: OperatorAnswer) => void): void;
  stop(machines: NonNullable<OperatorCall['stop_maintenance']>['machines'], respond: (answer: OperatorAnswer) => void): void;
}

/** The operator's write calls, each to the part that carries it out. */
export class OperatorWriteCalls implements OperatorWrites {
  private readonly roles: RoleCalls;
  private readonly reservations: ReservationCalls;

  constructor(
    private readonly context: MasterContext,
    offers: Offers,
    private readonly frameworks: FrameworkTeardown,
    private readonly agents: AgentCalls,
    private readonly maintenance: MaintenanceWrites,
  ) {
    this.roles = new RoleCalls(context);
    this.reservations = new ReservationCalls(context, offers);
  }

  handle(call: OperatorCall, respond: (answer: OperatorAnswer) => void): void {
    const payload = payloadOf(call);
    if (payload === undefined) return respond(badRequest(`${call.type} needs its ${call.type.toLowerCase()} field`));
    switch (call.type) {
      case 'UPDATE_WEIGHTS': return this.roles.updateWeights(call.update_weights!.weight_infos, respond);
      case 'UPDATE_QUOTA': return this.roles.updateQuota(call.update_quota!.quota_configs, call.update_quota!.force ?? false, respond);
      case 'SET_QUOTA': return this.roles.setQuota(call.set_quota!.quota_request, respond);
      case 'REMOVE_QUOTA': return this.roles.removeQuota(call.remove_quota!.role, respond);
      case 'RESERVE_RESOURCES': return this.reservations.reserve(call.reserve_resources!.agent_id.value, call.reserve_resources!.resources, respond);
      case 'UNRESERVE_RESOURCES': return this.reservations.unreserve(call.unreserve_resources!.agent_id.value, call.unreserve_resources!.resources, respond);
      case 'TEARDOWN': return this.teardown(call.teardown!.framework_id.value, respond);
      case 'DEACTIVATE_AGENT': return this.agents.deactivate(call.deactivate_agent!.agent_id.value, respond);
      case 'REACTIVATE_AGENT': return this.agents.reactivate(call.reactivate_agent!.agent_id.value, respond);
      case 'DRAIN_AGENT': return this.agents.drain(call.drain_agent!, respond);
      case 'MARK_AGENT_GONE': return this.agents.markGone(call.mark_agent_gone!.agent_id.value, respond);
      case 'UPDATE_MAINTENANCE_SCHEDULE': return this.maintenance.updateSchedule(call.update_maintenance_schedule!.schedule, respond);
      case 'START_MAINTENANCE': return this.maintenance.start(call.start_maintenance!.machines, respond);
      case 'STOP_MAINTENANCE': return this.maintenance.stop(call.stop_maintenance!.machines, respond);
      default: return respond(badRequest(`${call.type} is not a call this master carries out`));
    }
  }

  private teardown(frameworkId: string, respond: (answer: OperatorAnswer) => void): void {
    const { state } = this.context;
    const framework = state.frameworks.get(frameworkId);
    if (framework === undefined) {
      return respond(state.isCompletedFramework(frameworkId) ? badRequest(`TEARDOWN: framework ${frameworkId} is already torn down`) : notFound(`TEARDOWN: no framework ${frameworkId}`));
    }
    const scheduler = framework.pid;
    this.frameworks.teardown(framework, 'torn down by the operator');
    // The scheduler hears it is gone, as Mesos sends it an ERROR when it is removed.
    if (scheduler !== undefined) this.context.send(scheduler, 'scheduler.Event', { type: 'ERROR', error: { message: 'Framework was torn down by the operator' } });
    respond(ok({}));
  }
}

/** The call's payload field (`teardown` for TEARDOWN), undefined when it is missing. */
function payloadOf(call: OperatorCall): unknown {
  return (call as Record<string, unknown>)[call.type.toLowerCase()];
}
