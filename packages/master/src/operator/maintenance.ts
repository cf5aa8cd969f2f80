import type { MachineId, MaintenanceClusterStatus } from '@tessera/protocol';
import type { MasterState } from '../master-state.js';

/** A machine's key: the same machine whichever way the schedule names it. */
export const machineKey = (m: MachineId): string => `${m.hostname ?? ''}/${m.ip ?? ''}`;

/**
 * The maintenance status (GET_MAINTENANCE_STATUS): machines of the schedule that are not down are
 * draining, with their frameworks' answers to inverse offers; down machines are listed apart.
 */
export function maintenanceStatus(state: MasterState): MaintenanceClusterStatus {
  const down = state.downMachines;
  const draining = state.maintenance.windows.flatMap((w) => w.machine_ids).filter((m) => !down.has(machineKey(m)));
  return {
    draining_machines: draining.map((id) => ({ id, statuses: [...(state.inverseOfferStatuses.get(machineKey(id))?.values() ?? [])] })),
    down_machines: [...down.values()],
  };
}
