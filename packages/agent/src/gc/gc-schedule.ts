import path from 'node:path';

/**
 * The paths waiting for removal and since when, without I/O or timers (Mesos's
 * GarbageCollector table): the collector asks it which are old enough.
 */
export class GcSchedule {
  private readonly since = new Map<string, number>();

  get size(): number {
    return this.since.size;
  }

  /** Schedules `dir` as finished at `at`; a path scheduled already keeps its older time. */
  schedule(dir: string, at: number): void {
    const known = this.since.get(dir);
    if (known === undefined || at < known) this.since.set(dir, at);
  }

  /** True when `dir` was scheduled. */
  unschedule(dir: string): boolean {
    return this.since.delete(dir);
  }

  /**
   * The paths finished at least `maxAgeMs` before `now`, outermost first, taken off the schedule
   * with every path under them (removing a directory removes those too).
   */
  takeDue(now: number, maxAgeMs: number): string[] {
    const due = [...this.since].filter(([, at]) => now - at >= maxAgeMs).map(([dir]) => dir).sort((a, b) => a.length - b.length);
    const taken: string[] = [];
    for (const dir of due) {
      if (taken.some((outer) => isWithin(dir, outer))) continue;
      taken.push(dir);
    }
    for (const dir of [...this.since.keys()]) if (taken.some((outer) => dir === outer || isWithin(dir, outer))) this.since.delete(dir);
    return taken;
  }
}

/** True when `dir` is strictly inside `outer`. */
export function isWithin(dir: string, outer: string): boolean {
  return dir.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);
}
