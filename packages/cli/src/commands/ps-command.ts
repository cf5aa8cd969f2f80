import type { Command } from 'commander';
import { TERMINAL_TASK_STATES, type TaskState } from '@tessera/protocol';
import { allTasks } from '../operator-client/task-lookup.js';
import { formatTable, type Column } from '../operator-client/table.js';
import type { MasterState } from '../operator-client/view-types.js';
import { taskState } from '../operator-parsers.js';
import { masterClient, operatorCommand, print, printJson, type OperatorFlags } from './operator-command.js';

/** One line of `tessera ps`. */
export interface TaskRow {
  framework: string;
  framework_id: string;
  id: string;
  name: string;
  state: string;
  agent: string;
  agent_id: string;
  cpus: number;
  mem: number;
}

const COLUMNS: Column<TaskRow>[] = [
  { header: 'FRAMEWORK', value: (r) => r.framework },
  { header: 'TASK', value: (r) => r.id },
  { header: 'NAME', value: (r) => r.name },
  { header: 'STATE', value: (r) => r.state },
  { header: 'AGENT', value: (r) => r.agent },
  { header: 'CPUS', value: (r) => r.cpus, align: 'right' },
  { header: 'MEM', value: (r) => r.mem, align: 'right' },
];

/** The tasks of a master's state as rows, filtered as `tessera ps` is asked. */
export function taskRows(state: MasterState, filter: { all?: boolean; framework?: string; state?: string }): TaskRow[] {
  const hostnames = new Map(state.slaves.map((a) => [a.id, a.hostname]));
  return allTasks(state, filter.all === true)
    .filter(({ framework }) => filter.framework === undefined || framework.id === filter.framework || framework.name === filter.framework)
    .filter(({ task }) => filter.state === undefined || task.state === filter.state)
    .map(({ task, framework }) => ({
      framework: framework.name,
      framework_id: framework.id,
      id: task.id,
      name: task.name,
      state: task.state,
      agent: hostnames.get(task.slave_id) ?? task.slave_id,
      agent_id: task.slave_id,
      cpus: typeof task.resources.cpus === 'number' ? task.resources.cpus : 0,
      mem: typeof task.resources.mem === 'number' ? task.resources.mem : 0,
    }));
}

/** `tessera ps`: the cluster's tasks, like mesos-ps. */
export function psCommand(): Command {
  return operatorCommand('ps', 'list tasks (like mesos-ps)')
    .option('--all', 'include completed tasks and frameworks')
    .option('--framework <id|name>', 'only the tasks of this framework')
    .option('--state <state>', 'only tasks in this state (running, finished, TASK_FAILED, ...)', taskState)
    .action(async (flags: OperatorFlags & { all?: boolean; framework?: string; state?: string }) => {
      // Asking for a final state means asking for completed tasks: live tasks are never in one.
      const all = flags.all === true || (flags.state !== undefined && TERMINAL_TASK_STATES.has(flags.state as TaskState));
      const rows = taskRows(await masterClient(flags).state(), { ...flags, all });
      if (flags.json === true) printJson(rows);
      else print(rows.length === 0 ? 'no tasks' : formatTable(COLUMNS, rows));
    });
}
