import { Command } from 'commander';
import type { MaintenanceClusterStatus } from '@tessera/protocol';
import { getMaintenanceSchedule, getMaintenanceStatus, startMaintenance, stopMaintenance, updateMaintenanceSchedule, type MachineId, type MaintenanceSchedule, type MaintenanceWindow } from '../operator-client/calls.js';
import { formatTable, type Column } from '../operator-client/table.js';
import { machineId, masterUrl, scheduleFile } from '../operator-parsers.js';
import { DEFAULT_MASTER_URL } from '../operator-client/master-client.js';
import { masterClient, print, printJson, type OperatorFlags } from './operator-command.js';

/** `maintenance status`: machines draining (with their frameworks' answers to inverse offers) and down. */
export type MaintenanceStatus = Partial<MaintenanceClusterStatus>;

interface StatusRow {
  machine: string;
  mode: string;
  answers: string;
}

const WINDOW_COLUMNS: Column<MaintenanceWindow>[] = [
  { header: 'MACHINES', value: (w) => w.machine_ids.map(machineName).join(',') },
  { header: 'START', value: (w) => new Date(w.unavailability.start.nanoseconds / 1e6).toISOString() },
  { header: 'DURATION', value: (w) => (w.unavailability.duration === undefined ? 'forever' : `${w.unavailability.duration.nanoseconds / 1e9} s`), align: 'right' },
];

const STATUS_COLUMNS: Column<StatusRow>[] = [
  { header: 'MACHINE', value: (r) => r.machine },
  { header: 'MODE', value: (r) => r.mode },
  { header: 'INVERSE OFFERS', value: (r) => r.answers },
];

/** A machine as the CLI takes it back: `HOSTNAME/IP`, `HOSTNAME` or `/IP`. */
export function machineName(machine: MachineId): string {
  return machine.ip === undefined ? machine.hostname ?? '' : `${machine.hostname ?? ''}/${machine.ip}`;
}

export function statusRows(status: MaintenanceStatus): StatusRow[] {
  return [
    ...(status.draining_machines ?? []).map((m) => ({
      machine: machineName(m.id),
      mode: 'DRAINING',
      answers: (m.statuses ?? []).map((s) => `${s.framework_id.value}:${s.status}`).join(', '),
    })),
    ...(status.down_machines ?? []).map((m) => ({ machine: machineName(m), mode: 'DOWN', answers: '' })),
  ];
}

/**
 * `tessera maintenance [show | schedule FILE.json | start HOST... | stop HOST... | status]`: Mesos
 * maintenance. A schedule makes its machines DRAINING (frameworks get inverse offers); `start`
 * takes them DOWN (their agents are shut down); `stop` brings them back UP.
 */
export function maintenanceCommand(): Command {
  const group = new Command('maintenance').description('show or change the maintenance schedule; start or stop maintenance of machines');
  const sub = (name: string, description: string) => group.command(name, { isDefault: name === 'show' })
    .description(description)
    .option('--master <url>', 'HTTP address of a master (a standby redirects to the leader)', masterUrl, DEFAULT_MASTER_URL)
    .option('--json', 'print JSON for scripts instead of a table');

  sub('show', 'the maintenance schedule (the default)').action(async (flags: OperatorFlags) => {
    const { schedule } = await masterClient(flags).read<{ schedule?: MaintenanceSchedule }>(getMaintenanceSchedule());
    const windows = schedule?.windows ?? [];
    if (flags.json === true) printJson({ windows });
    else print(windows.length === 0 ? 'no maintenance scheduled' : formatTable(WINDOW_COLUMNS, windows));
  });
  sub('schedule', 'replace the schedule with the one in FILE.json (Mesos /maintenance/schedule format)')
    .argument('<file>', 'a JSON file: {"windows": [{"machine_ids": [...], "unavailability": {...}}]}', scheduleFile)
    .action(async (schedule: MaintenanceSchedule, flags: OperatorFlags) => {
      await masterClient(flags).call(updateMaintenanceSchedule(schedule));
      const machines = schedule.windows.flatMap((w) => w.machine_ids).map(machineName);
      print(`schedule stored: ${schedule.windows.length} window(s), ${machines.length === 0 ? 'no machines' : machines.join(', ')}`);
    });
  sub('start', 'take scheduled machines DOWN (their agents shut down)')
    .argument('<machines...>', 'HOSTNAME, HOSTNAME/IP or /IP, as in the schedule')
    .action(async (names: string[], flags: OperatorFlags) => {
      const machines = parseMachines(names, group);
      await masterClient(flags).call(startMaintenance(machines));
      print(`down: ${machines.map(machineName).join(', ')}`);
    });
  sub('stop', 'bring machines back UP and out of the schedule')
    .argument('<machines...>', 'HOSTNAME, HOSTNAME/IP or /IP')
    .action(async (names: string[], flags: OperatorFlags) => {
      const machines = parseMachines(names, group);
      await masterClient(flags).call(stopMaintenance(machines));
      print(`up: ${machines.map(machineName).join(', ')}`);
    });
  sub('status', 'machines DRAINING (with frameworks\' answers to inverse offers) and DOWN').action(async (flags: OperatorFlags) => {
    const { status = {} } = await masterClient(flags).read<{ status?: MaintenanceStatus }>(getMaintenanceStatus());
    if (flags.json === true) printJson(status);
    else {
      const rows = statusRows(status);
      print(rows.length === 0 ? 'no machine in maintenance' : formatTable(STATUS_COLUMNS, rows));
    }
  });
  return group;
}

/** Variadic arguments are parsed here, all before anything is sent (commander parses them one by one). */
function parseMachines(names: string[], group: Command): MachineId[] {
  try {
    return names.map(machineId);
  } catch (err) {
    group.error(`tessera maintenance: ${(err as Error).message}`, { exitCode: 1 });
  }
}
