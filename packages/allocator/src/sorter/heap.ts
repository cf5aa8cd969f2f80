/**
 * A binary min-heap of items under a key computed when they are pushed. The DRF sorter keeps its
 * clients in one, so "the next client in share order" costs O(log n) instead of a full sort after
 * every allocation (the re-sorting that made Mesos's allocator slow, MESOS-9249).
 */
export class KeyedHeap<T> {
  private items: T[] = [];
  private keys: number[] = [];
  private ties: string[] = [];

  /**
   * @param keyOf the item's key (smaller first), read once at push
   * @param tieOf a name that orders items with equal keys, so that the order is deterministic
   */
  constructor(private readonly keyOf: (item: T) => number, private readonly tieOf: (item: T) => string) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.keys.push(this.keyOf(item));
    this.ties.push(this.tieOf(item));
    this.up(this.items.length - 1);
  }

  /** Removes and returns the item with the smallest key. */
  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0]!;
    const lastItem = this.items.pop()!;
    const lastKey = this.keys.pop()!;
    const lastTie = this.ties.pop()!;
    if (this.items.length > 0) {
      this.items[0] = lastItem;
      this.keys[0] = lastKey;
      this.ties[0] = lastTie;
      this.down(0);
    }
    return top;
  }

  /** Removes `item` (by identity); O(n) to find it, for rare removals. */
  remove(item: T): boolean {
    const at = this.items.indexOf(item);
    if (at < 0) return false;
    const popped = this.items.splice(at, 1);
    this.keys.splice(at, 1);
    this.ties.splice(at, 1);
    // Restoring the heap property after a splice is simplest done by rebuilding.
    const items = this.items;
    this.items = [];
    this.keys = [];
    this.ties = [];
    for (const i of items) this.push(i);
    return popped.length === 1;
  }

  /** Recomputes every key (after the denominators of all shares changed). */
  rekey(): void {
    const items = this.items;
    this.items = [];
    this.keys = [];
    this.ties = [];
    for (const i of items) this.push(i);
  }


  private less(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka < kb || (ka === kb && this.ties[a]! < this.ties[b]!);
  }

  private swap(a: number, b: number): void {
    [this.items[a], this.items[b]] = [this.items[b]!, this.items[a]!];
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
    [this.ties[a], this.ties[b]] = [this.ties[b]!, this.ties[a]!];
  }

  private up(at: number): void {
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.less(at, parent)) return;
      this.swap(at, parent);
      at = parent;
    }
  }

  private down(at: number): void {
    const n = this.items.length;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let best = at;
      if (left < n && this.less(left, best)) best = left;
      if (right < n && this.less(right, best)) best = right;
      if (best === at) return;
      this.swap(at, best);
      at = best;
    }
  }
}
