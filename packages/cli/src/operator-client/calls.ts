import type { MachineId, MaintenanceSchedule, OperatorCall, QuotaConfig } from '@tessera/protocol';

/**
 * The v1 operator calls the CLI sends, in the JSON form of Mesos's include/mesos/v1/master/master.proto
 * (`{"type": "UPDATE_WEIGHTS", "update_weights": {...}}`). Built here, in one place, from values
 * the command-line parsers already checked.
 */

export type { MachineId, MaintenanceSchedule, MaintenanceWindow, QuotaConfig } from '@tessera/protocol';

/** Scalar quantities by resource name, as QuotaConfig's `map<string, Value.Scalar>`. */
export type ScalarQuantities = NonNullable<QuotaConfig['limits']>;

export type OperatorCallBody = OperatorCall;

export const getState = (): OperatorCallBody => ({ type: 'GET_STATE' });
export const getWeights = (): OperatorCallBody => ({ type: 'GET_WEIGHTS' });
export const getQuota = (): OperatorCallBody => ({ type: 'GET_QUOTA' });
export const getMaintenanceSchedule = (): OperatorCallBody => ({ type: 'GET_MAINTENANCE_SCHEDULE' });
export const getMaintenanceStatus = (): OperatorCallBody => ({ type: 'GET_MAINTENANCE_STATUS' });

export function updateWeights(weights: Record<string, number>): OperatorCallBody {
  return { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: Object.entries(weights).map(([role, weight]) => ({ role, weight })) } };
}

/** Sets a role's quota; a config with neither guarantees nor limits removes it (Mesos 1.9+). */
export function updateQuota(config: QuotaConfig): OperatorCallBody {
  return { type: 'UPDATE_QUOTA', update_quota: { force: false, quota_configs: [config] } };
}

export function updateMaintenanceSchedule(schedule: MaintenanceSchedule): OperatorCallBody {
  return { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule } };
}

export function startMaintenance(machines: MachineId[]): OperatorCallBody {
  return { type: 'START_MAINTENANCE', start_maintenance: { machines } };
}

export function stopMaintenance(machines: MachineId[]): OperatorCallBody {
  return { type: 'STOP_MAINTENANCE', stop_maintenance: { machines } };
}

export function drainAgent(agentId: string, options: { graceSeconds?: number; markGone?: boolean }): OperatorCallBody {
  return {
    type: 'DRAIN_AGENT',
    drain_agent: {
      agent_id: { value: agentId },
      ...(options.graceSeconds === undefined ? {} : { max_grace_period: { nanoseconds: Math.round(options.graceSeconds * 1e9) } }),
      ...(options.markGone === true ? { mark_gone: true } : {}),
    },
  };
}

export function teardown(frameworkId: string): OperatorCallBody {
  return { type: 'TEARDOWN', teardown: { framework_id: { value: frameworkId } } };
}
