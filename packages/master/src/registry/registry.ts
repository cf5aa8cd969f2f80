import type { Messages, QuotaConfig, RegistryAgent } from '@tessera/protocol';

/** What the registry holds (Mesos's registry.proto, less what Tessera has no use for yet). */
export interface RegistrySnapshot {
  agents: Map<string, RegistryAgent>;
  /** Agent id to when it was marked unreachable (epoch ms). */
  unreachable: Map<string, number>;
  /** Agent id to when it was marked gone (epoch ms). */
  gone: Map<string, number>;
  weights: Map<string, number>;
  quotas: Map<string, QuotaConfig>;
  maintenance: Messages['registry.Maintenance'] | undefined;
}

/** One change to the registry; the master acts on it only once it is stored. */
export type RegistryOperation =
  | { kind: 'admit'; agent: RegistryAgent }
  | { kind: 'mark-unreachable'; agentId: string; timestamp: number }
  | { kind: 'mark-reachable'; agent: RegistryAgent }
  | { kind: 'mark-gone'; agentId: string; timestamp: number }
  | { kind: 'remove'; agentId: string }
  | { kind: 'weight'; role: string; weight: number | undefined }
  | { kind: 'quota'; role: string; config: QuotaConfig | undefined }
  | { kind: 'maintenance'; maintenance: Messages['registry.Maintenance'] };

export function emptyRegistry(): RegistrySnapshot {
  return { agents: new Map(), unreachable: new Map(), gone: new Map(), weights: new Map(), quotas: new Map(), maintenance: undefined };
}

/** Applies an operation to a snapshot in memory (the memory store, and tests' expectations). */
export function applyOperation(registry: RegistrySnapshot, op: RegistryOperation): void {
  switch (op.kind) {
    case 'admit':
      registry.agents.set(agentId(op.agent), op.agent);
      return;
    case 'mark-unreachable':
      registry.agents.delete(op.agentId);
      registry.unreachable.set(op.agentId, op.timestamp);
      return;
    case 'mark-reachable':
      registry.unreachable.delete(agentId(op.agent));
      registry.agents.set(agentId(op.agent), op.agent);
      return;
    case 'mark-gone':
      registry.agents.delete(op.agentId);
      registry.unreachable.delete(op.agentId);
      registry.gone.set(op.agentId, op.timestamp);
      return;
    case 'remove':
      registry.agents.delete(op.agentId);
      registry.unreachable.delete(op.agentId);
      return;
    case 'weight':
      if (op.weight === undefined) registry.weights.delete(op.role);
      else registry.weights.set(op.role, op.weight);
      return;
    case 'quota':
      if (op.config === undefined) registry.quotas.delete(op.role);
      else registry.quotas.set(op.role, op.config);
      return;
    case 'maintenance':
      registry.maintenance = op.maintenance;
  }
}

export function agentId(agent: RegistryAgent): string {
  const id = agent.info.id?.value;
  if (id === undefined) throw new Error('a registry agent needs its id');
  return id;
}

/**
 * Where the registry is kept: JetStream KV (replicated over the NATS cluster) in production,
 * memory in local mode and tests. `apply` resolves once the change is stored.
 */
export interface RegistryStore {
  load(): Promise<RegistrySnapshot>;
  apply(op: RegistryOperation): Promise<void>;
  /**
   * Keeps a copy current while this master stands by, so that the next load is quick (KV);
   * returns what stops it (the next load stops it too).
   */
  follow?(): () => void;
}

export class MemoryRegistryStore implements RegistryStore {
  readonly registry = emptyRegistry();

  load(): Promise<RegistrySnapshot> {
    const r = this.registry;
    return Promise.resolve({
      agents: new Map(r.agents), unreachable: new Map(r.unreachable), gone: new Map(r.gone),
      weights: new Map(r.weights), quotas: new Map(r.quotas), maintenance: r.maintenance,
    });
  }

  apply(op: RegistryOperation): Promise<void> {
    applyOperation(this.registry, op);
    return Promise.resolve();
  }
}
