import { parseBody, type MessageType, type QuotaConfig, type RegistryAgent } from '@tessera/protocol';
import type { RegistrySnapshot } from './registry.js';

// The registry's KV entries as read back: shared by a cold read (KvRegistryStore.load) and the
// copy a standby keeps (KvRegistryFollower).

/** A KV key token for a role or id: roles may hold characters keys may not, so they go as hex. */
export const token = (text: string): string => Buffer.from(text, 'utf8').toString('hex');
const untoken = (hex: string): string => Buffer.from(hex, 'hex').toString('utf8');
/** One decoder for every entry: a cold read and a standby's copy each go through 10,000 of them. */
const decoder = new TextDecoder();

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
  const checked = parseBody(type, decoder.decode(bytes));
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
