import type { MasterContext } from '../master-context.js';
import type { RegistrySnapshot } from '../registry/registry.js';
import { machineKey } from './maintenance.js';

/**
 * A new leader takes the operator's facts from the registry (weights, quotas, the maintenance
 * schedule and its down machines) into its state and its allocator, before any offer is made.
 */
export function restoreOperatorFacts(context: MasterContext, registry: RegistrySnapshot): void {
  const { state } = context;
  for (const [role, weight] of registry.weights) state.weights.set(role, weight);
  if (registry.weights.size > 0) context.toAllocator('allocator.UpdateWeights', { weights: [...registry.weights].map(([role, weight]) => ({ role, weight })) });
  for (const [role, config] of registry.quotas) {
    state.quotas.set(role, config);
    context.toAllocator('allocator.UpdateQuota', { role, ...(config.guarantees === undefined ? {} : { guarantees: config.guarantees }), ...(config.limits === undefined ? {} : { limits: config.limits }) });
  }
  if (registry.maintenance !== undefined) {
    state.maintenance = { windows: registry.maintenance.windows };
    for (const machine of registry.maintenance.down_machines ?? []) state.downMachines.set(machineKey(machine), machine);
  }
}
