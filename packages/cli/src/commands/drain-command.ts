import type { Command } from 'commander';
import { drainAgent } from '../operator-client/calls.js';
import { waitUntilDrained } from '../operator-client/drain-progress.js';
import { locateAgent } from '../operator-client/task-lookup.js';
import { seconds } from '../operator-parsers.js';
import { masterClient, operatorCommand, print, printJson, sleep, type OperatorFlags } from './operator-command.js';

type DrainFlags = OperatorFlags & { grace?: number; markGone?: boolean; wait: boolean };

/**
 * `tessera drain AGENT [--grace SECONDS] [--mark-gone]`: DRAIN_AGENT (no new offers, its tasks
 * killed with at most that grace period), then shows the tasks left until there are none.
 */
export function drainCommand(): Command {
  return operatorCommand('drain', 'drain an agent: stop offering it, kill its tasks, and wait until none is left')
    .argument('<agent>', 'agent id, or a hostname only one agent has')
    .option('--grace <seconds>', 'longest kill grace period its tasks get', seconds)
    .option('--mark-gone', 'mark the agent gone once drained (it may never come back)')
    .option('--no-wait', 'return once the master accepted the drain')
    .action(async (name: string, flags: DrainFlags) => {
      const master = masterClient(flags);
      const agent = locateAgent(await master.state(), name);
      await master.call(drainAgent(agent.id, { ...(flags.grace === undefined ? {} : { graceSeconds: flags.grace }), markGone: flags.markGone === true }));
      const say = (line: string) => { if (flags.json !== true) print(line); };
      say(`draining agent ${agent.id} (${agent.hostname})`);
      if (!flags.wait) return;
      await waitUntilDrained(master, agent.id, {
        sleep,
        report: (left) => say(left === undefined ? '  the master no longer lists the agent' : `  ${left} task(s) left`),
      });
      if (flags.json === true) printJson({ agent_id: agent.id, hostname: agent.hostname, drained: true });
      else say(`agent ${agent.id} drained`);
    });
}
