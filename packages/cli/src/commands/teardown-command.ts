import type { Command } from 'commander';
import { teardown } from '../operator-client/calls.js';
import { locateFramework } from '../operator-client/task-lookup.js';
import { masterClient, operatorCommand, print, printJson, type OperatorFlags } from './operator-command.js';

/** `tessera teardown FRAMEWORK`: TEARDOWN (its tasks are killed and the framework removed). */
export function teardownCommand(): Command {
  return operatorCommand('teardown', 'tear a framework down: kill its tasks and remove it')
    .argument('<framework>', 'framework id, or a name only one live framework has')
    .action(async (name: string, flags: OperatorFlags) => {
      const master = masterClient(flags);
      const framework = locateFramework(await master.state(), name);
      await master.call(teardown(framework.id));
      if (flags.json === true) printJson({ framework_id: framework.id, name: framework.name, torn_down: true });
      else print(`framework ${framework.id} (${framework.name}) torn down: ${framework.tasks?.length ?? 0} task(s) killed`);
    });
}
