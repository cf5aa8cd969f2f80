import type { Command } from 'commander';
import { TERMINAL_TASK_STATES, type TaskState } from '@tessera/protocol';
import type { MasterClient } from '../operator-client/master-client.js';
import { openSandbox, pathIn } from '../operator-client/sandbox.js';
import { followFile, tailFile } from '../operator-client/sandbox-files.js';
import { lineCount, sandboxPath } from '../operator-parsers.js';
import { masterClient, operatorCommand, sleep, type OperatorFlags } from './operator-command.js';

/** `tessera tail TASK [FILE] [-f] [-n lines]`: the end of a sandbox file, and what follows until the task ends. */
export function tailCommand(): Command {
  return operatorCommand('tail', 'print the last lines of a task\'s sandbox file (stdout by default); -f follows it')
    .argument('<task>', 'task id (or a unique prefix of one)')
    .argument('[file]', 'path inside the sandbox', sandboxPath, 'stdout')
    .option('-n, --lines <n>', 'how many lines from the end', lineCount, 10)
    .option('-f, --follow', 'keep printing what is appended until the task is terminal (or Ctrl-C)')
    .action(async (taskId: string, file: string, flags: OperatorFlags & { lines: number; follow?: boolean }) => {
      const master = masterClient(flags);
      const sandbox = await openSandbox(master, taskId);
      const path = pathIn(sandbox, file);
      const write = (text: string) => { process.stdout.write(text); };
      const end = await tailFile(sandbox.agentClient, path, flags.lines, write);
      if (flags.follow !== true) return;
      await followFile(sandbox.agentClient, path, end, write, {
        isDone: () => isTerminal(master, sandbox.framework.id, sandbox.task.id),
        sleep,
      });
    });
}

/** True once the master sees the task in a final state, or no longer lists it as live. */
async function isTerminal(master: MasterClient, frameworkId: string, taskId: string): Promise<boolean> {
  // /state rather than /tasks: /tasks pages (100 by default), and a page without the task would end the follow early.
  const state = await master.state();
  const task = state.frameworks.find((f) => f.id === frameworkId)?.tasks?.find((t) => t.id === taskId);
  return task === undefined || TERMINAL_TASK_STATES.has(task.state as TaskState);
}
