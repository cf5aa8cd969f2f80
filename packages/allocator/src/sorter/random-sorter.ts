import { Quantities } from '../quantities.js';
import type { Sorter } from './sorter.js';

/** A source of floats in [0, 1): the runtime's seeded Random. */
export interface UniformSource {
  next(): number;
}

/**
 * The alternative policy behind the same interface, as Mesos's random sorter: every walk visits
 * clients in a fresh weighted random order (a client of weight 2 comes first twice as often as
 * one of weight 1), ignoring shares. Hierarchy is flattened: a client's weight is its own.
 */
export class RandomSorter implements Sorter {
  private readonly clients = new Map<string, { allocation: Quantities; active: boolean }>();
  private readonly weights = new Map<string, number>();

  constructor(private readonly random: UniformSource) {}

  add(client: string): void {
    if (!this.clients.has(client)) this.clients.set(client, { allocation: new Quantities(), active: true });
  }

  remove(client: string): void {
    this.clients.delete(client);
  }

  has(client: string): boolean {
    return this.clients.has(client);
  }

  deactivate(client: string): void {
    const c = this.clients.get(client);
    if (c !== undefined) c.active = false;
  }

  activate(client: string): void {
    const c = this.clients.get(client);
    if (c !== undefined) c.active = true;
  }

  setWeight(client: string, weight: number): void {
    if (!(weight > 0)) throw new Error(`weight of '${client}' must be positive, got ${weight}`);
    this.weights.set(client, weight);
  }

  setTotal(): void {}

  allocated(client: string, quantities: Quantities): void {
    this.clients.get(client)?.allocation.add(quantities);
  }

  unallocated(client: string, quantities: Quantities): void {
    this.clients.get(client)?.allocation.subtract(quantities);
  }

  allocation(client: string): Quantities {
    return this.clients.get(client)?.allocation.clone() ?? new Quantities();
  }

  share(): number {
    return 0;
  }

  visitInOrder(visit: (client: string) => boolean | void): void {
    for (const client of this.sort()) if (visit(client) === true) return;
  }

  /** A weighted random permutation: sort by -ln(U)/w (Efraimidis and Spirakis). */
  sort(): string[] {
    const keyed: [number, string][] = [];
    for (const [client, c] of this.clients) {
      if (!c.active) continue;
      const u = Math.max(this.random.next(), Number.MIN_VALUE);
      keyed.push([-Math.log(u) / (this.weights.get(client) ?? 1), client]);
    }
    keyed.sort((a, b) => a[0] - b[0]);
    return keyed.map(([, client]) => client);
  }
}
