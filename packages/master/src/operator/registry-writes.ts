import type { MasterContext } from '../master-context.js';
import type { RegistryOperation } from '../registry/registry.js';

/** Stores the operations one after the other, then runs `then` (in the mailbox) once all are stored. */
export function storeAll(context: MasterContext, ops: RegistryOperation[], then: () => void): void {
  const [first, ...rest] = ops;
  if (first === undefined) return then();
  context.store(first, () => storeAll(context, rest, then));
}
