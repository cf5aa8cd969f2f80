import { Quantities } from '../quantities.js';
import { KeyedHeap } from './heap.js';
import type { Sorter } from './sorter.js';

/** A node of the client tree: an internal path prefix (`eng`) or a client leaf. */
class SorterNode {
  readonly allocation = new Quantities();
  readonly heap: KeyedHeap<SorterNode>;
  parent: SorterNode | undefined;
  /** In its parent's heap (not popped by a walk, not deactivated). */
  inHeap = false;
  /** A child's allocation changed while it sat in this heap: its key is stale. */
  dirty = false;
  active = true;
  /** Orders equal shares by path; a leaf sorts after the internal node of the same path. */
  readonly tie: string;

  constructor(readonly path: string, readonly leaf: boolean, readonly sorter: DrfSorter) {
    this.tie = leaf ? `${path}\u0000` : path;
    this.heap = new KeyedHeap<SorterNode>((n) => sorter.shareOf(n), (n) => n.tie);
  }
}

/**
 * Dominant Resource Fairness (Ghodsi et al., NSDI 2011) over a tree of clients, as Mesos's
 * hierarchical DRF sorter: siblings are ordered by weighted dominant share, where a node's share
 * counts everything allocated in its subtree, so `eng/backend` and `eng/frontend` share what
 * `eng` gets. A client that also has children (`eng` beside `eng/backend`) sits as a leaf under
 * its own internal node, as Mesos's `.` leaf.
 *
 * Each internal node keeps its children in a heap keyed by share. A walk pops children in order
 * and pushes them back with fresh keys when it ends, so the allocator's "first client, allocate,
 * next agent" loop costs O(log n) per allocation instead of a sort.
 */
export class DrfSorter implements Sorter {
  private readonly root: SorterNode = new SorterNode('', false, this);
  private readonly internals = new Map<string, SorterNode>([['', this.root]]);
  private readonly leaves = new Map<string, SorterNode>();
  private readonly weights = new Map<string, number>();
  private total = new Quantities();

  add(client: string): void {
    if (this.leaves.has(client)) return;
    let parent = this.root;
    const segments = client.split('/');
    for (let i = 1; i < segments.length; i += 1) parent = this.internal(segments.slice(0, i).join('/'), parent);
    // A client whose path is already an internal node sits under it, beside its children.
    const home = this.internals.get(client) ?? parent;
    const leaf = new SorterNode(client, true, this);
    this.leaves.set(client, leaf);
    this.attach(leaf, home);
  }

  remove(client: string): void {
    const leaf = this.leaves.get(client);
    if (leaf === undefined) return;
    this.unallocated(client, leaf.allocation.clone());
    this.detach(leaf);
    this.leaves.delete(client);
    this.prune(leaf.parent);
  }

  has(client: string): boolean {
    return this.leaves.has(client);
  }

  /**
   * Takes a client out of the order (it keeps its allocation), e.g. a suppressed framework or a
   * role whose guarantee is met. O(1): the leaf stays in its heap and the next walk that pops it
   * drops it.
   */
  deactivate(client: string): void {
    const leaf = this.leaves.get(client);
    if (leaf !== undefined) leaf.active = false;
  }

  activate(client: string): void {
    const leaf = this.leaves.get(client);
    if (leaf === undefined || leaf.active) return;
    leaf.active = true;
    if (!leaf.inHeap) {
      leaf.parent!.heap.push(leaf);
      leaf.inHeap = true;
    }
  }


  setWeight(client: string, weight: number): void {
    if (!(weight > 0)) throw new Error(`weight of '${client}' must be positive, got ${weight}`);
    this.weights.set(client, weight);
    this.markAllDirty();
  }

  /** The pool shares are computed against; kept by reference (the allocator owns it). */
  setTotal(total: Quantities): void {
    this.total = total;
    this.markAllDirty();
  }

  allocated(client: string, quantities: Quantities): void {
    this.change(client, quantities, 1);
  }

  unallocated(client: string, quantities: Quantities): void {
    this.change(client, quantities, -1);
  }

  allocation(client: string): Quantities {
    return this.leaves.get(client)?.allocation.clone() ?? new Quantities();
  }

  share(client: string): number {
    const leaf = this.leaves.get(client);
    return leaf === undefined ? 0 : this.shareOf(leaf);
  }

  visitInOrder(visit: (client: string) => boolean | void): void {
    this.walk(this.root, visit);
  }

  sort(): string[] {
    const order: string[] = [];
    this.visitInOrder((client) => { order.push(client); });
    return order;
  }

  /** @internal the key of a node in its parent's heap: dominant share over weight. */
  shareOf(node: SorterNode): number {
    let dominant = 0;
    for (const [name, total] of this.total.entries()) {
      if (total <= 0) continue;
      const share = node.allocation.get(name) / total;
      if (share > dominant) dominant = share;
    }
    return dominant / (this.weights.get(node.path) ?? 1);
  }

  private walk(node: SorterNode, visit: (client: string) => boolean | void): boolean {
    if (node.dirty) {
      node.heap.rekey();
      node.dirty = false;
    }
    const popped: SorterNode[] = [];
    let stop = false;
    while (!stop) {
      const child = node.heap.pop();
      if (child === undefined) break;
      child.inHeap = false;
      if (child.leaf && !child.active) continue;
      popped.push(child);
      stop = child.leaf ? visit(child.path) === true : this.walk(child, visit);
    }
    for (const child of popped) {
      // A visit may have removed or deactivated it.
      if (child.parent !== node || (child.leaf && (!child.active || !this.leaves.has(child.path)))) continue;
      node.heap.push(child);
      child.inHeap = true;
    }
    return stop;
  }

  private change(client: string, quantities: Quantities, sign: 1 | -1): void {
    const leaf = this.leaves.get(client);
    if (leaf === undefined) throw new Error(`no client '${client}' in the sorter`);
    for (let node: SorterNode | undefined = leaf; node !== undefined && node !== this.root; node = node.parent) {
      if (sign > 0) node.allocation.add(quantities);
      else node.allocation.subtract(quantities);
      if (node.inHeap) node.parent!.dirty = true;
    }
  }

  private internal(path: string, parent: SorterNode): SorterNode {
    let node = this.internals.get(path);
    if (node !== undefined) return node;
    node = new SorterNode(path, false, this);
    this.internals.set(path, node);
    this.attach(node, parent);
    // A client of this very path moves under it, to share with its new siblings.
    const leaf = this.leaves.get(path);
    if (leaf !== undefined) {
      this.detach(leaf);
      this.attach(leaf, node);
      node.allocation.add(leaf.allocation);
    }
    return node;
  }

  private attach(node: SorterNode, parent: SorterNode): void {
    node.parent = parent;
    parent.heap.push(node);
    node.inHeap = true;
  }

  private detach(node: SorterNode): void {
    if (node.inHeap) node.parent!.heap.remove(node);
    node.inHeap = false;
  }

  /** Drops internal nodes left without children. */
  private prune(node: SorterNode | undefined): void {
    while (node !== undefined && node !== this.root && node.heap.size === 0) {
      const parent = node.parent;
      this.detach(node);
      this.internals.delete(node.path);
      node = parent;
    }
  }

  private markAllDirty(): void {
    for (const node of this.internals.values()) node.dirty = true;
  }
}
