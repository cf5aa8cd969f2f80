import { Command, Option } from 'commander';
import { getQuota, updateQuota, type QuotaConfig, type ScalarQuantities } from '../operator-client/calls.js';
import { OperatorError } from '../operator-client/errors.js';
import { formatScalars, formatTable, type Column } from '../operator-client/table.js';
import { role, scalarQuantities } from '../operator-parsers.js';
import { masterClient, operatorCommand, print, printJson, type OperatorFlags } from './operator-command.js';

const COLUMNS: Column<QuotaConfig>[] = [
  { header: 'ROLE', value: (q) => q.role },
  { header: 'GUARANTEES', value: (q) => formatScalars(q.guarantees) },
  { header: 'LIMITS', value: (q) => formatScalars(q.limits) },
];

type QuotaFlags = OperatorFlags & { set?: ScalarQuantities; guarantee?: ScalarQuantities; remove?: boolean };

/**
 * `tessera quota [ROLE] [--set SPEC [--guarantee SPEC] | --remove]`. `--set` makes SPEC the role's
 * limit and, unless `--guarantee` gives a smaller one, its guarantee too; `--remove` sends a config
 * with neither, which is how Mesos 1.9+ removes a quota.
 */
export function quotaCommand(): Command {
  return operatorCommand('quota', 'show quotas, or set (--set) or remove (--remove) a role\'s quota')
    .argument('[role]', 'only this role (required with --set or --remove)', role)
    .addOption(new Option('--set <spec>', 'limit (and guarantee) as cpus:4;mem:1024').argParser(scalarQuantities).conflicts('remove'))
    .addOption(new Option('--guarantee <spec>', 'a guarantee other than the limit, with --set').argParser(scalarQuantities))
    .addOption(new Option('--remove', 'remove the role\'s quota').conflicts('set'))
    .action(async (roleName: string | undefined, flags: QuotaFlags, command: Command) => {
      const change = changeOf(roleName, flags, command);
      const master = masterClient(flags);
      if (change !== undefined) {
        await master.call(updateQuota(change));
        if (flags.json !== true) print(flags.remove === true ? `quota of ${change.role} removed` : `quota of ${change.role}: limits ${formatScalars(change.limits)}, guarantees ${formatScalars(change.guarantees)}`);
        if (flags.json !== true) return;
      }
      const configs = await quotaConfigs(master);
      const shown = roleName === undefined ? configs : configs.filter((c) => c.role === roleName);
      if (flags.json === true) printJson(shown);
      else print(shown.length === 0 ? (roleName === undefined ? 'no quotas' : `no quota for role ${roleName}`) : formatTable(COLUMNS, shown));
    });
}

/** The change the flags ask for, checked before anything is sent; undefined to only show. */
function changeOf(roleName: string | undefined, flags: QuotaFlags, command: Command): QuotaConfig | undefined {
  if (flags.guarantee !== undefined && flags.set === undefined) command.error('tessera quota: --guarantee goes with --set', { exitCode: 1 });
  if (flags.set === undefined && flags.remove !== true) return undefined;
  if (roleName === undefined) command.error(`tessera quota: ${flags.remove === true ? '--remove' : '--set'} needs a ROLE`, { exitCode: 1 });
  if (roleName === '*') command.error('tessera quota: the default role * cannot have a quota', { exitCode: 1 });
  if (flags.remove === true) return { role: roleName, guarantees: {}, limits: {} };
  const guarantees = flags.guarantee ?? flags.set!;
  for (const [name, { value }] of Object.entries(guarantees)) {
    const limit = flags.set![name]?.value;
    if (limit === undefined || value > limit) command.error(`tessera quota: the guarantee of ${name} (${value}) is above its limit (${limit ?? 'none'})`, { exitCode: 1 });
  }
  return { role: roleName, guarantees, limits: flags.set! };
}

/** Every role's quota config from GET_QUOTA (`get_quota.status.configs`, Mesos 1.9+). */
async function quotaConfigs(master: ReturnType<typeof masterClient>): Promise<QuotaConfig[]> {
  const answer = await master.read<{ status?: { configs?: QuotaConfig[] } }>(getQuota());
  if (answer.status === undefined) throw new OperatorError('GET_QUOTA: the master answered without a status');
  return answer.status.configs ?? [];
}
