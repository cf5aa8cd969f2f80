import { roleNameError, type OperatorCall, type QuotaConfig, type Resource } from '@tessera/protocol';
import type { MasterContext } from '../master-context.js';
import { badRequest, ok, type OperatorAnswer } from './master-operator.js';
import { storeAll } from './registry-writes.js';

/** The resources quota may name, as Mesos 1.9 allows. */
const QUOTA_RESOURCES = new Set(['cpus', 'mem', 'disk', 'gpus']);

type Respond = (answer: OperatorAnswer) => void;

/**
 * UPDATE_WEIGHTS and the quota calls: checked whole (one bad entry refuses the call and nothing
 * changes), stored in the registry, then applied to the master's state and its allocator.
 */
export class RoleCalls {
  constructor(private readonly context: MasterContext) {}

  updateWeights(weights: NonNullable<OperatorCall['update_weights']>['weight_infos'], respond: Respond): void {
    const seen = new Set<string>();
    for (const { role, weight } of weights) {
      const problem = roleNameError(role);
      if (problem !== undefined) return respond(badRequest(`UPDATE_WEIGHTS: ${problem}`));
      if (!Number.isFinite(weight) || weight <= 0) return respond(badRequest(`UPDATE_WEIGHTS: the weight of role '${role}' must be a positive number, got ${weight}`));
      if (seen.has(role)) return respond(badRequest(`UPDATE_WEIGHTS: role '${role}' is given twice`));
      seen.add(role);
    }
    storeAll(this.context, weights.map(({ role, weight }) => ({ kind: 'weight', role, weight })), () => {
      for (const { role, weight } of weights) this.context.state.weights.set(role, weight);
      this.context.toAllocator('allocator.UpdateWeights', { weights });
      this.context.logger.log('info', 'operator updated weights', { weights });
      respond(ok({}));
    });
  }

  updateQuota(configs: QuotaConfig[], force: boolean, respond: Respond): void {
    const seen = new Set<string>();
    for (const config of configs) {
      const problem = this.quotaProblem(config);
      if (problem !== undefined) return respond(badRequest(`UPDATE_QUOTA: ${problem}`));
      if (seen.has(config.role)) return respond(badRequest(`UPDATE_QUOTA: role '${config.role}' is given twice`));
      seen.add(config.role);
    }
    if (!force) {
      const overCapacity = this.overCapacity(configs);
      if (overCapacity !== undefined) return respond(badRequest(`UPDATE_QUOTA: ${overCapacity} (use force to set it anyway)`));
    }
    const stored = configs.map((c) => ({ role: c.role, config: isEmptyQuota(c) ? undefined : c }));
    storeAll(this.context, stored.map(({ role, config }) => ({ kind: 'quota', role, config })), () => {
      for (const { role, config } of stored) {
        if (config === undefined) this.context.state.quotas.delete(role);
        else this.context.state.quotas.set(role, config);
        this.context.toAllocator('allocator.UpdateQuota', { role, ...(config?.guarantees === undefined ? {} : { guarantees: config.guarantees }), ...(config?.limits === undefined ? {} : { limits: config.limits }) });
      }
      this.context.logger.log('info', 'operator updated quota', { roles: [...seen] });
      respond(ok({}));
    });
  }

  /** SET_QUOTA (Mesos 1.x): a guarantee as resources; the limit is the guarantee, as then. */
  setQuota(request: NonNullable<OperatorCall['set_quota']>['quota_request'], respond: Respond): void {
    const guarantees: Record<string, { value: number }> = {};
    for (const r of request.guarantee as Resource[]) {
      if (r.type !== 'SCALAR' || r.scalar === undefined) return respond(badRequest(`SET_QUOTA: resource ${r.name} is not a scalar`));
      guarantees[r.name] = { value: (guarantees[r.name]?.value ?? 0) + r.scalar.value };
    }
    if (this.context.state.quotas.has(request.role)) return respond(badRequest(`SET_QUOTA: role '${request.role}' already has quota (REMOVE_QUOTA first, or use UPDATE_QUOTA)`));
    this.updateQuota([{ role: request.role, guarantees, limits: guarantees }], request.force ?? false, respond);
  }

  removeQuota(role: string, respond: Respond): void {
    if (!this.context.state.quotas.has(role)) return respond(badRequest(`REMOVE_QUOTA: role '${role}' has no quota`));
    this.updateQuota([{ role }], true, respond);
  }

  private quotaProblem(config: QuotaConfig): string | undefined {
    const problem = roleNameError(config.role);
    if (problem !== undefined) return problem;
    if (config.role === '*') return "quota cannot be set on the default role '*'";
    for (const [kind, map] of [['guarantee', config.guarantees], ['limit', config.limits]] as const) {
      for (const [name, { value }] of Object.entries(map ?? {})) {
        if (!QUOTA_RESOURCES.has(name)) return `role '${config.role}': quota ${kind} names '${name}'; only cpus, mem, disk and gpus may have quota`;
        if (!Number.isFinite(value) || value < 0) return `role '${config.role}': the ${kind} of ${name} must be zero or more, got ${value}`;
      }
    }
    for (const [name, { value }] of Object.entries(config.guarantees ?? {})) {
      const limit = config.limits?.[name]?.value;
      if (limit !== undefined && value > limit) return `role '${config.role}': the guarantee of ${name} (${value}) is above its limit (${limit})`;
    }
    return undefined;
  }

  /** Why the guarantees (with the other roles' unchanged ones) exceed the cluster, if they do. */
  private overCapacity(configs: QuotaConfig[]): string | undefined {
    const all = new Map(this.context.state.quotas);
    for (const c of configs) all.set(c.role, c);
    const guaranteed = new Map<string, number>();
    for (const c of all.values()) for (const [name, { value }] of Object.entries(c.guarantees ?? {})) guaranteed.set(name, (guaranteed.get(name) ?? 0) + value);
    for (const [name, total] of guaranteed) {
      let capacity = 0;
      for (const agent of this.context.state.agents.values()) {
        if (agent.lifecycle.value === 'registered' || agent.lifecycle.value === 'disconnected') capacity += agent.total.scalar(name);
      }
      if (total > capacity) return `the guarantees of ${name} (${total} in all) exceed the cluster's capacity (${capacity})`;
    }
    return undefined;
  }
}

function isEmptyQuota(config: QuotaConfig): boolean {
  return Object.keys(config.guarantees ?? {}).length === 0 && Object.keys(config.limits ?? {}).length === 0;
}
