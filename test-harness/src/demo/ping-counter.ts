import { Process } from '@tessera/process';

/** Counts Pings and resolves `reached(n)` once it has seen n of them, in order or not. */
export class PingCounter extends Process {
  readonly seqs: number[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  protected initialize(): void {
    this.install('demo.Ping', (ping) => {
      this.seqs.push(ping.seq);
      this.waiters = this.waiters.filter((w) => (this.seqs.length >= w.count ? (w.resolve(), false) : true));
    });
  }

  /** Resolves once `count` pings have arrived. */
  reached(count: number): Promise<void> {
    if (this.seqs.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}
