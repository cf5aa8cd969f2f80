import type { Quantities } from '../quantities.js';

/**
 * Orders clients (roles, or the frameworks of one role) for the allocator, as Mesos's Sorter:
 * the allocator asks for clients in order, offers to the first that takes resources, and tells
 * the sorter what each client was allocated. Pure: no I/O, no clock.
 */
export interface Sorter {
  /** Adds a client; hierarchical sorters read `eng/backend` as a child of `eng`. */
  add(client: string): void;
  remove(client: string): void;
  has(client: string): boolean;
  /** Takes a client out of the order; it keeps its allocation (a suppressed framework). */
  deactivate(client: string): void;
  activate(client: string): void;
  /** Weight of a client (default 1); for roles, the weight of the role. */
  setWeight(client: string, weight: number): void;
  /** The total pool shares are computed against. */
  setTotal(total: Quantities): void;
  allocated(client: string, quantities: Quantities): void;
  unallocated(client: string, quantities: Quantities): void;
  /** What the client holds now. */
  allocation(client: string): Quantities;
  /** The client's weighted dominant share (DRF) or 0 (random). */
  share(client: string): number;
  /**
   * Visits clients in order; `visit` returning true stops the walk. Allocation changes made by
   * `visit` are reflected in later walks, not in this one's remaining order.
   */
  visitInOrder(visit: (client: string) => boolean | void): void;
  /** Every client in order (for tests, metrics, UIs). */
  sort(): string[];
}
