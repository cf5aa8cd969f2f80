import type { Command } from 'commander';
import { formatTable, usedOfTotal, type Column } from '../operator-client/table.js';
import type { AgentView, MasterState } from '../operator-client/view-types.js';
import { masterClient, operatorCommand, print, printJson, type OperatorFlags } from './operator-command.js';

/** One line of `tessera agents`. */
export interface AgentRow {
  id: string;
  hostname: string;
  port: number | undefined;
  active: boolean;
  tasks: number;
  cpus: string;
  mem: string;
  disk: string;
}

const COLUMNS: Column<AgentRow>[] = [
  { header: 'ID', value: (r) => r.id },
  { header: 'HOSTNAME', value: (r) => r.hostname },
  { header: 'PORT', value: (r) => r.port, align: 'right' },
  { header: 'ACTIVE', value: (r) => r.active },
  { header: 'TASKS', value: (r) => r.tasks, align: 'right' },
  { header: 'CPUS', value: (r) => r.cpus, align: 'right' },
  { header: 'MEM', value: (r) => r.mem, align: 'right' },
  { header: 'DISK', value: (r) => r.disk, align: 'right' },
];

/** Live tasks on each agent, counted from the frameworks' task lists. */
export function liveTasksByAgent(state: MasterState): Map<string, number> {
  const counts = new Map<string, number>();
  for (const framework of state.frameworks) {
    for (const task of framework.tasks ?? []) counts.set(task.slave_id, (counts.get(task.slave_id) ?? 0) + 1);
  }
  return counts;
}

export function agentRows(state: MasterState): AgentRow[] {
  const tasks = liveTasksByAgent(state);
  return state.slaves.map((agent: AgentView) => ({
    id: agent.id,
    hostname: agent.hostname,
    port: agent.port,
    active: agent.active !== false,
    tasks: tasks.get(agent.id) ?? 0,
    cpus: usedOfTotal(agent.used_resources?.cpus, agent.resources.cpus),
    mem: usedOfTotal(agent.used_resources?.mem, agent.resources.mem),
    disk: usedOfTotal(agent.used_resources?.disk, agent.resources.disk),
  }));
}

/** `tessera agents`: the registered agents, with used/total resources. */
export function agentsCommand(): Command {
  return operatorCommand('agents', 'list agents with their used and total resources')
    .action(async (flags: OperatorFlags) => {
      const state = await masterClient(flags).state();
      if (flags.json === true) printJson(state.slaves);
      else print(state.slaves.length === 0 ? 'no agents' : formatTable(COLUMNS, agentRows(state)));
    });
}
