import { randomBytes } from 'node:crypto';
import type { RandomSource } from '@tessera/protocol';

/**
 * A seeded pseudo-random generator (sfc32), so that a run seeded with the same number makes the
 * same choices: ids, back-off jitter, agent order. The only source of randomness in Tessera.
 */
export class Random implements RandomSource {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator seeded from the OS, for production. Its seed is kept for post-mortem replay. */
  static fromEntropy(): Random {
    return new Random(randomBytes(4).readUInt32LE(0));
  }

  constructor(readonly seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i += 1) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A short base-36 token, e.g. for unique names. */
  token(length = 8): string {
    let out = '';
    while (out.length < length) out += this.nextUint32().toString(36);
    return out.slice(0, length);
  }
}
