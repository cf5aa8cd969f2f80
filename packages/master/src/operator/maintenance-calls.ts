import type { MachineId, MaintenanceSchedule } from '@tessera/protocol';
import type { MasterContext } from '../master-context.js';
import { badRequest, ok, type OperatorAnswer } from './master-operator.js';
import type { AgentCalls } from './operator-agents.js';
import type { InverseOffers } from './inverse-offers.js';
import { describe, machineHoldsAgent, machineKey, scheduleProblem, scheduledMachines } from './maintenance.js';
import type { MaintenanceWrites } from './operator-writes.js';

type Respond = (answer: OperatorAnswer) => void;

/**
 * UPDATE_MAINTENANCE_SCHEDULE, START_MAINTENANCE and STOP_MAINTENANCE, as Mesos: each stored in the
 * registry before it takes effect. A new schedule makes its machines DRAINING (their frameworks
 * get inverse offers); START takes draining machines DOWN (their agents removed and shut down,
 * none admitted there while down); STOP brings down machines UP, out of the schedule.
 */
export class MaintenanceCalls implements MaintenanceWrites {
  constructor(private readonly context: MasterContext, private readonly agents: AgentCalls, private readonly inverseOffers: InverseOffers) {}

  updateSchedule(schedule: MaintenanceSchedule, respond: Respond): void {
    const { state } = this.context;
    const problem = scheduleProblem(state, schedule);
    if (problem !== undefined) return respond(badRequest(`UPDATE_MAINTENANCE_SCHEDULE: ${problem}`));
    this.store(schedule, [...state.downMachines.values()], () => {
      const before = new Set(scheduledMachines(state.maintenance).map(({ machine }) => machineKey(machine)));
      const after = new Set(scheduledMachines(schedule).map(({ machine }) => machineKey(machine)));
      state.maintenance = schedule;
      this.inverseOffers.forgetMachines([...before].filter((key) => !after.has(key)));
      for (const agent of state.agents.values()) this.inverseOffers.offerFor(agent);
      this.context.logger.log('info', 'operator updated the maintenance schedule', { machines: after.size });
      respond(ok({}));
    });
  }

  start(machines: MachineId[], respond: Respond): void {
    const { state } = this.context;
    const scheduled = new Set(scheduledMachines(state.maintenance).map(({ machine }) => machineKey(machine)));
    for (const machine of machines) {
      if (!scheduled.has(machineKey(machine))) return respond(badRequest(`START_MAINTENANCE: machine ${describe(machine)} is not in the maintenance schedule`));
      if (state.downMachines.has(machineKey(machine))) return respond(badRequest(`START_MAINTENANCE: machine ${describe(machine)} is already DOWN`));
    }
    this.store(state.maintenance, [...state.downMachines.values(), ...machines], () => {
      for (const machine of machines) state.downMachines.set(machineKey(machine), machine);
      this.inverseOffers.forgetMachines(machines.map(machineKey));
      for (const agent of [...state.agents.values()]) {
        if (agent.lifecycle.value === 'removed' || !machines.some((m) => machineHoldsAgent(m, agent))) continue;
        this.agents.removeAgent(agent, 'is on a machine taken DOWN for maintenance');
        this.context.changes.agentRemoved(agent.id);
      }
      this.context.logger.log('info', 'operator started maintenance', { machines: machines.map(describe) });
      respond(ok({}));
    });
  }

  stop(machines: MachineId[], respond: Respond): void {
    const { state } = this.context;
    for (const machine of machines) {
      if (!state.downMachines.has(machineKey(machine))) return respond(badRequest(`STOP_MAINTENANCE: machine ${describe(machine)} is not DOWN`));
    }
    const up = new Set(machines.map(machineKey));
    const windows = state.maintenance.windows
      .map((w) => ({ ...w, machine_ids: w.machine_ids.filter((m) => !up.has(machineKey(m))) }))
      .filter((w) => w.machine_ids.length > 0);
    const down = [...state.downMachines].filter(([key]) => !up.has(key)).map(([, m]) => m);
    this.store({ windows }, down, () => {
      state.maintenance = { windows };
      for (const key of up) state.downMachines.delete(key);
      this.context.logger.log('info', 'operator stopped maintenance', { machines: machines.map(describe) });
      respond(ok({}));
    });
  }

  private store(schedule: MaintenanceSchedule, down: MachineId[], then: () => void): void {
    this.context.store({ kind: 'maintenance', maintenance: { windows: schedule.windows, down_machines: down } }, then);
  }
}
