import { parseBody, type MessageType, type QuotaConfig, type RegistryAgent } from '@tessera/protocol';
import { KvWatchInclude, type KV } from '@nats-io/kv';
import { SystemClock, type Clock } from '@tessera/process';
import { KvRegistryFollower } from './kv-registry-follower.js';
import { agentId, emptyRegistry, type RegistryOperation, type RegistrySnapshot, type RegistryStore } from './registry.js';

/** A KV key token for a role or id: roles may hold characters keys may not, so they go as hex. */
const token = (text: string): string => Buffer.from(text, 'utf8').toString('hex');
const untoken = (hex: string): string => Buffer.from(hex, 'hex').toString('utf8');

/** Keys and the schema each kind of entry is validated against when read back. */
const KINDS: Record<string, MessageType> = {
  agent: 'registry.Agent',
  unreachable: 'registry.Marked',
  gone: 'registry.Marked',
  weight: 'registry.Weight',
  quota: 'registry.Quota',
  maintenance: 'registry.Maintenance',
};

/** A registry entry that does not read back: a new leader must not act on a half-understood registry. */
export class RegistryCorruptError extends Error {
  override readonly name = 'RegistryCorruptError';
}

/**
 * The registry as one KV entry per fact (`agent.<id>`, `unreachable.<id>`, `gone.<id>`,
 * `weight.<role>`, `quota.<role>`, `maintenance`), so that a change writes a few hundred bytes and
 * 10,000 agents never meet the 1 MB message limit. Entries are JSON, validated when loaded.
 */
export class KvRegistryStore implements RegistryStore {
  private follower: KvRegistryFollower | undefined;
  private loadedFrom: 'followed' | 'read' | undefined;

  constructor(private readonly kv: KV, private readonly clock: Clock = new SystemClock()) {}

  /** How the last load got the registry: the copy kept while following, or a read of the bucket. */
  get lastLoad(): 'followed' | 'read' | undefined {
    return this.loadedFrom;
  }

  follow(): () => void {
    const follower = this.follower ??= new KvRegistryFollower(this.kv, this.clock);
    return () => {
      follower.stop();
      if (this.follower === follower) this.follower = undefined;
    };
  }

  /**
   * The copy kept while standing by (`follow`), once it has caught up; else every entry's last
   * value read through one watcher (an ordered stream of the bucket) rather than a get per key:
   * a new leader read 10,000 agents' entries with 10,000 requests.
   */
  async load(): Promise<RegistrySnapshot> {
    const follower = this.follower;
    this.follower = undefined;
    const warm = await follower?.take();
    this.loadedFrom = warm === undefined ? 'read' : 'followed';
    if (warm !== undefined) return settled(warm);
    const registry = emptyRegistry();
    if ((await this.kv.status()).values === 0) return registry;
    const watcher = await this.kv.watch({ include: KvWatchInclude.LastValue });
    try {
      for await (const entry of watcher) {
        if (entry.operation === 'PUT') readEntry(registry, entry.key, entry.value);
        // Caught up with the bucket as it was: what comes later is a deposed leader's late write.
        if (entry.delta === 0) break;
      }
    } finally {
      watcher.stop();
    }
    return settled(registry);
  }

  async apply(op: RegistryOperation): Promise<void> {
    // The puts and deletes of one operation are each atomic; applied in this order, a crash
    // between them leaves an agent both admitted and marked, which load() resolves.
    for (const [key, value] of writesOf(op)) {
      if (value === undefined) await this.kv.delete(key);
      else await this.kv.put(key, new TextEncoder().encode(JSON.stringify(value)));
    }
  }
}

/**
 * A registry as read: a crash between the writes of one operation can leave an agent admitted
 * and marked; the mark is the later fact (see apply), and the agent re-registers if it lives.
 */
export function settled(registry: RegistrySnapshot): RegistrySnapshot {
  for (const id of [...registry.unreachable.keys(), ...registry.gone.keys()]) registry.agents.delete(id);
  return registry;
}

/** Adds one entry to `registry`, validated against its kind's schema. */
export function readEntry(registry: RegistrySnapshot, key: string, bytes: Uint8Array): void {
  const { kind, name } = keyParts(key);
  const type = KINDS[kind]!;
  const checked = parseBody(type, new TextDecoder().decode(bytes));
  if (!checked.ok) throw new RegistryCorruptError(`registry entry '${key}' ${checked.error}`);
  const value = checked.value as Record<string, unknown>;
  switch (kind) {
    case 'agent': registry.agents.set(name, value as unknown as RegistryAgent); break;
    case 'unreachable': registry.unreachable.set(name, value.timestamp as number); break;
    case 'gone': registry.gone.set(name, value.timestamp as number); break;
    case 'weight': registry.weights.set(name, value.weight as number); break;
    case 'quota': registry.quotas.set(name, value as unknown as QuotaConfig); break;
    case 'maintenance': registry.maintenance = value as never; break;
  }
}

/** Takes a deleted entry out of `registry`. */
export function forgetEntry(registry: RegistrySnapshot, key: string): void {
  const { kind, name } = keyParts(key);
  switch (kind) {
    case 'agent': registry.agents.delete(name); break;
    case 'unreachable': registry.unreachable.delete(name); break;
    case 'gone': registry.gone.delete(name); break;
    case 'weight': registry.weights.delete(name); break;
    case 'quota': registry.quotas.delete(name); break;
    case 'maintenance': registry.maintenance = undefined; break;
  }
}

function keyParts(key: string): { kind: string; name: string } {
  const [kind, ...rest] = key.split('.');
  if (KINDS[kind ?? ''] === undefined) throw new RegistryCorruptError(`registry entry '${key}' is of no known kind`);
  return { kind: kind!, name: untoken(rest.join('.')) };
}

/** The KV writes an operation makes: a value to put, or undefined to delete. */
function writesOf(op: RegistryOperation): [string, unknown][] {
  switch (op.kind) {
    case 'admit': return [[`agent.${token(agentId(op.agent))}`, op.agent]];
    case 'mark-unreachable': return [[`unreachable.${token(op.agentId)}`, { timestamp: op.timestamp }], [`agent.${token(op.agentId)}`, undefined]];
    case 'mark-reachable': return [[`agent.${token(agentId(op.agent))}`, op.agent], [`unreachable.${token(agentId(op.agent))}`, undefined]];
    case 'mark-gone': return [[`gone.${token(op.agentId)}`, { timestamp: op.timestamp }], [`agent.${token(op.agentId)}`, undefined], [`unreachable.${token(op.agentId)}`, undefined]];
    case 'remove': return [[`agent.${token(op.agentId)}`, undefined], [`unreachable.${token(op.agentId)}`, undefined]];
    case 'weight': return [[`weight.${token(op.role)}`, op.weight === undefined ? undefined : { weight: op.weight }]];
    case 'quota': return [[`quota.${token(op.role)}`, op.config]];
    case 'maintenance': return [['maintenance', op.maintenance]];
  }
}
