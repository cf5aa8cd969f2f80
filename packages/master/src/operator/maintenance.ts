import type { AgentInfo, MachineId, MaintenanceClusterStatus, MaintenanceSchedule, Unavailability } from '@tessera/protocol';
import type { MasterState } from '../master-state.js';

// Mesos's maintenance model (docs/maintenance.md): machines in the schedule are DRAINING until
// START_MAINTENANCE makes them DOWN; STOP_MAINTENANCE makes them UP (out of the schedule).

/** A machine's key: the same machine whichever way the schedule names it. */
export const machineKey = (m: MachineId): string => `${m.hostname?.toLowerCase() ?? ''}/${m.ip ?? ''}`;

/** True when `machine` is where `agent` runs: its hostname, or its IP given as the agent's hostname. */
export function machineHoldsAgent(machine: MachineId, agent: { info: AgentInfo }): boolean {
  const hostname = agent.info.hostname.toLowerCase();
  return (machine.hostname !== undefined && machine.hostname.toLowerCase() === hostname) || (machine.ip !== undefined && machine.ip === hostname);
}

/** Every machine of the schedule with its window's unavailability. */
export function scheduledMachines(schedule: MaintenanceSchedule): { machine: MachineId; unavailability: Unavailability }[] {
  return schedule.windows.flatMap((w) => w.machine_ids.map((machine) => ({ machine, unavailability: w.unavailability })));
}

/** The scheduled, not yet DOWN, machine the agent runs on, with its unavailability. */
export function drainingMachineOf(state: MasterState, agent: { info: AgentInfo }): { machine: MachineId; unavailability: Unavailability } | undefined {
  return scheduledMachines(state.maintenance).find(({ machine }) => !state.downMachines.has(machineKey(machine)) && machineHoldsAgent(machine, agent));
}

/** True when the agent runs on a machine that is DOWN: it may not register. */
export function isOnDownMachine(state: MasterState, agent: { info: AgentInfo }): boolean {
  for (const machine of state.downMachines.values()) if (machineHoldsAgent(machine, agent)) return true;
  return false;
}

/** Why the schedule cannot replace the current one, or undefined (Mesos's validation::maintenance). */
export function scheduleProblem(state: MasterState, schedule: MaintenanceSchedule): string | undefined {
  const seen = new Set<string>();
  for (const { machine } of scheduledMachines(schedule)) {
    const key = machineKey(machine);
    if (seen.has(key)) return `machine ${describe(machine)} is in more than one window`;
    seen.add(key);
  }
  for (const [key, machine] of state.downMachines) {
    if (!seen.has(key)) return `machine ${describe(machine)} is DOWN: it must stay in the schedule until STOP_MAINTENANCE`;
  }
  return undefined;
}

export const describe = (m: MachineId): string => [m.hostname, m.ip].filter((x) => x !== undefined).join('/');

/**
 * The maintenance status (GET_MAINTENANCE_STATUS): machines of the schedule that are not down are
 * draining, with their frameworks' answers to inverse offers; down machines are listed apart.
 */
export function maintenanceStatus(state: MasterState): MaintenanceClusterStatus {
  const down = state.downMachines;
  const draining = scheduledMachines(state.maintenance).map(({ machine }) => machine).filter((m) => !down.has(machineKey(m)));
  return {
    draining_machines: draining.map((id) => ({ id, statuses: [...(state.inverseOfferStatuses.get(machineKey(id))?.values() ?? [])] })),
    down_machines: [...down.values()],
  };
}
