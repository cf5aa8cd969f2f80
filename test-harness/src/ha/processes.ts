/** What the process table says about a scenario: its task processes, and every process it left. */
import { readFileSync, readdirSync } from 'node:fs';

/** The environment variable every scenario process (and so every executor and task) carries. */
export const SCENARIO_ENV = 'TESSERA_HA_SCENARIO';

function environOf(pid: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return undefined; // gone, or not ours to read
  }
}

function scenarioPids(scenario: string): { pid: number; environ: string }[] {
  const found: { pid: number; environ: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = environOf(entry);
    if (environ?.split('\0').includes(`${SCENARIO_ENV}=${scenario}`)) found.push({ pid: Number(entry), environ });
  }
  return found;
}

/** Task ids with a live process (MESOS_TASK_ID in its environment) in this scenario. */
export function liveTaskIds(scenario: string): Set<string> {
  const ids = new Set<string>();
  for (const { environ } of scenarioPids(scenario)) {
    const variable = environ.split('\0').find((v) => v.startsWith('MESOS_TASK_ID='));
    if (variable !== undefined) ids.add(variable.slice('MESOS_TASK_ID='.length));
  }
  return ids;
}

/** Live task ids of one agent: their sandboxes lie under its work dir. */
export function liveTaskIdsUnder(scenario: string, workDir: string): Set<string> {
  const ids = new Set<string>();
  for (const { environ } of scenarioPids(scenario)) {
    const vars = environ.split('\0');
    const task = vars.find((v) => v.startsWith('MESOS_TASK_ID='));
    const sandbox = vars.find((v) => v.startsWith('MESOS_SANDBOX='));
    if (task !== undefined && sandbox?.startsWith(`MESOS_SANDBOX=${workDir}/`) === true) ids.add(task.slice('MESOS_TASK_ID='.length));
  }
  return ids;
}

/** Pids of the live processes of a task. */
export function taskPids(scenario: string, taskId: string): number[] {
  return scenarioPids(scenario).filter(({ environ }) => environ.split('\0').includes(`MESOS_TASK_ID=${taskId}`)).map(({ pid }) => pid);
}

/** SIGKILLs every process of the scenario (executors and tasks outlive their agents on purpose). */
export function killScenarioProcesses(scenario: string): void {
  for (const { pid } of scenarioPids(scenario)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
