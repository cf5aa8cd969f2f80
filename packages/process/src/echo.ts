import type { Envelope, Messages } from '@tessera/protocol';
import { Process } from './process.js';

/**
 * The smallest useful actor: answers every Ping with a Pong of the same seq and text. The other
 * end of the README demo, the runtime's tests and its benchmarks.
 */
export class Echo extends Process {
  protected initialize(): void {
    this.install('demo.Ping', this.onPing);
  }

  private onPing = (ping: Messages['demo.Ping'], message: Envelope<'demo.Ping'>): void => {
    this.reply(message, 'demo.Pong', ping.text === undefined ? { seq: ping.seq } : { seq: ping.seq, text: ping.text });
  };
}
