import { KvWatchInclude, type KV } from '@nats-io/kv';
import { SystemClock, type Clock } from '@tessera/process';
import { KvRegistryFollower } from './kv-registry-follower.js';
import { readEntry, settled, token } from './kv-registry-entries.js';
import { agentId, emptyRegistry, type RegistryOperation, type RegistrySnapshot, type RegistryStore } from './registry.js';

export { RegistryCorruptError } from './kv-registry-entries.js';

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
