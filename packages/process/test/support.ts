import type { Messages } from '@tessera/protocol';
import { Echo } from '../src/echo.js';
import { ManualClock } from '../src/manual-clock.js';
import { MemoryNetwork } from '../src/memory-transport.js';
import { Process } from '../src/process.js';
import { Random } from '../src/random.js';
import { Runtime, type ExitReason } from '../src/runtime.js';
import { memoryLogger } from '../src/logger.js';
import type { UPID } from '../src/upid.js';

/** Records every handler call (type, seq, from) and every exit it is told of. */
export class Witness extends Process {
  readonly calls: string[] = [];
  readonly exits: { pid: UPID; reason: ExitReason }[] = [];

  protected initialize(): void {
    this.install('demo.Ping', (body, message) => { this.calls.push(`Ping ${body.seq} from ${message.from}`); });
    this.install('demo.Pong', (body, message) => { this.calls.push(`Pong ${body.seq} from ${message.from}`); });
  }

  protected override exited(pid: UPID, reason: ExitReason): void {
    this.exits.push({ pid, reason });
  }

  watch(pid: UPID): void {
    this.link(pid);
  }

  stopWatching(pid: UPID): void {
    this.unlink(pid);
  }

  later(ms: number, note: string): void {
    this.delay(ms, () => { this.calls.push(note); });
  }

  tell(to: UPID, seq: number): void {
    this.send(to, 'demo.Ping', { seq });
  }

  question(to: UPID, seq: number, timeoutMs?: number): Promise<Messages['demo.Pong']> {
    return this.ask(to, 'demo.Ping', { seq }, { expect: 'demo.Pong', timeoutMs });
  }
}

/** A manual clock and a memory network with runtimes on it, all seeded. */
export async function memoryCluster(nodes: string[], seed = 7) {
  const clock = new ManualClock();
  const network = new MemoryNetwork();
  const logger = memoryLogger();
  const runtimes = await Promise.all(
    nodes.map((node, i) => Runtime.create({ transport: network.transport(node), clock, logger, random: new Random(seed + i) })),
  );
  return { clock, network, logger, runtimes };
}

export { Echo };
