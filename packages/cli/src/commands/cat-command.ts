import type { Command } from 'commander';
import { openSandbox, pathIn } from '../operator-client/sandbox.js';
import { copyFile } from '../operator-client/sandbox-files.js';
import { sandboxPath } from '../operator-parsers.js';
import { masterClient, operatorCommand, type OperatorFlags } from './operator-command.js';

/** `tessera cat TASK FILE`: a file of a task's sandbox, read from its agent in chunks. */
export function catCommand(): Command {
  return operatorCommand('cat', 'print a file of a task\'s sandbox (like mesos-cat)')
    .argument('<task>', 'task id (or a unique prefix of one)')
    .argument('<file>', 'path inside the sandbox, e.g. stdout', sandboxPath)
    .action(async (taskId: string, file: string, flags: OperatorFlags) => {
      const sandbox = await openSandbox(masterClient(flags), taskId);
      await copyFile(sandbox.agentClient, pathIn(sandbox, file), (text) => process.stdout.write(text));
    });
}
