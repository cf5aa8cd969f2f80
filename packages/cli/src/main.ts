import { Command, CommanderError } from 'commander';
import { agentCommand } from './commands/agent-command.js';
import { executeCommand } from './commands/execute-command.js';
import { localCommand } from './commands/local-command.js';
import { masterCommand } from './commands/master-command.js';

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
  .addCommand(executeCommand());

program.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`tessera: ${(err as Error).message}\n`);
  process.exit(1);
}
