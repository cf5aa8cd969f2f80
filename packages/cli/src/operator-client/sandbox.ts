import type { AgentClient, MasterClient } from './master-client.js';
import { locateTask, sandboxOf, type LocatedTask } from './task-lookup.js';

/** Where a task's files are: its agent's server and its sandbox directory there. */
export interface TaskSandbox extends LocatedTask {
  agentClient: AgentClient;
  directory: string;
}

/** Finds a task in the master's `/state`, then its sandbox in its agent's `/state` (as mesos-cat does). */
export async function openSandbox(master: MasterClient, taskId: string): Promise<TaskSandbox> {
  const located = locateTask(await master.state(), taskId);
  const agentClient = master.agent(located.agent);
  const directory = sandboxOf(await agentClient.state(), located.framework.id, located.task.id);
  return { ...located, agentClient, directory };
}

/** The absolute path the agent's `/files` endpoints take for a file of the sandbox. */
export function pathIn(sandbox: TaskSandbox, file: string): string {
  return `${sandbox.directory.replace(/\/+$/, '')}/${file}`;
}
