import type { Command } from 'commander';
import { getWeights, updateWeights } from '../operator-client/calls.js';
import { formatTable, type Column } from '../operator-client/table.js';
import { weightList } from '../operator-parsers.js';
import { masterClient, operatorCommand, print, printJson, type OperatorFlags } from './operator-command.js';

interface WeightInfo {
  role: string;
  weight: number;
}

const COLUMNS: Column<WeightInfo>[] = [
  { header: 'ROLE', value: (w) => w.role },
  { header: 'WEIGHT', value: (w) => w.weight, align: 'right' },
];

/** `tessera weights [--set role=2,...]`: the roles' weights (a role not listed weighs 1), or change them. */
export function weightsCommand(): Command {
  return operatorCommand('weights', 'show role weights, or set them with --set role=weight,...')
    .option('--set <role=weight,...>', 'new weights, e.g. eng=2,ops=0.5 (stored before the master answers)', weightList)
    .action(async (flags: OperatorFlags & { set?: Record<string, number> }) => {
      const master = masterClient(flags);
      if (flags.set !== undefined) {
        await master.call(updateWeights(flags.set));
        if (flags.json !== true) print(`weights set: ${Object.entries(flags.set).map(([r, w]) => `${r}=${w}`).join(', ')}`);
      }
      const { weight_infos: weights = [] } = await master.read<{ weight_infos?: WeightInfo[] }>(getWeights());
      if (flags.json === true) printJson(weights);
      else if (flags.set === undefined) print(weights.length === 0 ? 'no weights set (every role weighs 1)' : formatTable(COLUMNS, weights));
    });
}
