import { Command, CommanderError } from 'commander';
import { flushStderrLogs } from '@tessera/process';
import { agentCommand } from './commands/agent-command.js';
import { executeCommand } from './commands/execute-command.js';
import { localCommand } from './commands/local-command.js';
import { masterCommand } from './commands/master-command.js';
import { psCommand } from './commands/ps-command.js';
import { catCommand } from './commands/cat-command.js';
import { tailCommand } from './commands/tail-command.js';
import { agentsCommand } from './commands/agents-command.js';
import { frameworksCommand } from './commands/frameworks-command.js';
import { quotaCommand } from './commands/quota-command.js';
import { weightsCommand } from './commands/weights-command.js';
import { maintenanceCommand } from './commands/maintenance-command.js';
import { drainCommand } from './commands/drain-command.js';
import { teardownCommand } from './commands/teardown-command.js';
import { simCommand } from './commands/sim-command.js';

/**
 * The `tessera` command. Commander parses and checks the flags (each parser in flags.ts gives a
 * one-line reason); anything that fails at start-up (NATS unreachable, a bad resource) ends as
 * one line on stderr and exit code 1, with no stack trace.
 */
const program = new Command('tessera')
  .description('Tessera: a distributed systems kernel in the line of Apache Mesos')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .addCommand(masterCommand())
  .addCommand(agentCommand())
  .addCommand(localCommand())
  .addCommand(executeCommand())
  .addCommand(psCommand())
  .addCommand(catCommand())
  .addCommand(tailCommand())
  .addCommand(agentsCommand())
  .addCommand(frameworksCommand())
  .addCommand(quotaCommand())
  .addCommand(weightsCommand())
  .addCommand(maintenanceCommand())
  .addCommand(drainCommand())
  .addCommand(teardownCommand())
  .addCommand(simCommand());

program.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  flushStderrLogs(); // the turn's log lines first, then why it stops
  process.stderr.write(`tessera: ${(err as Error).message}\n`);
  process.exit(1);
}
