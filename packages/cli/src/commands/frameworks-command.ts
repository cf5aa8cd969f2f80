import type { Command } from 'commander';
import { formatTable, type Column } from '../operator-client/table.js';
import type { FrameworkView, MasterState } from '../operator-client/view-types.js';
import { masterClient, operatorCommand, print, printJson, type OperatorFlags } from './operator-command.js';

/** One line of `tessera frameworks`. */
export interface FrameworkRow {
  id: string;
  name: string;
  roles: string;
  active: boolean;
  connected: boolean | undefined;
  tasks: number;
  cpus: number;
  mem: number;
  completed: boolean;
}

const COLUMNS: Column<FrameworkRow>[] = [
  { header: 'ID', value: (r) => r.id },
  { header: 'NAME', value: (r) => r.name },
  { header: 'ROLES', value: (r) => r.roles },
  { header: 'ACTIVE', value: (r) => (r.completed ? 'ended' : r.active) },
  { header: 'CONNECTED', value: (r) => r.connected },
  { header: 'TASKS', value: (r) => r.tasks, align: 'right' },
  { header: 'CPUS', value: (r) => r.cpus, align: 'right' },
  { header: 'MEM', value: (r) => r.mem, align: 'right' },
];

export function frameworkRows(state: MasterState, all: boolean): FrameworkRow[] {
  const row = (framework: FrameworkView, completed: boolean): FrameworkRow => ({
    id: framework.id,
    name: framework.name,
    roles: (framework.roles ?? (framework.role === undefined ? [] : [framework.role])).join(','),
    active: framework.active,
    connected: framework.connected,
    tasks: framework.tasks?.length ?? 0,
    cpus: numberOr0(framework.used_resources?.cpus),
    mem: numberOr0(framework.used_resources?.mem),
    completed,
  });
  return [...state.frameworks.map((f) => row(f, false)), ...(all ? (state.completed_frameworks ?? []).map((f) => row(f, true)) : [])];
}

function numberOr0(value: number | string | undefined): number {
  return typeof value === 'number' ? value : 0;
}

/** `tessera frameworks`: the registered frameworks, with their live tasks and used resources. */
export function frameworksCommand(): Command {
  return operatorCommand('frameworks', 'list frameworks with their tasks and used resources')
    .option('--all', 'include frameworks that ended')
    .action(async (flags: OperatorFlags & { all?: boolean }) => {
      const state = await masterClient(flags).state();
      if (flags.json === true) printJson(flags.all === true ? [...state.frameworks, ...(state.completed_frameworks ?? [])] : state.frameworks);
      else {
        const rows = frameworkRows(state, flags.all === true);
        print(rows.length === 0 ? 'no frameworks' : formatTable(COLUMNS, rows));
      }
    });
}
