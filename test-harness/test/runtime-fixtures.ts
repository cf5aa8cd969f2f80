import { connect, type NatsConnection } from '@nats-io/transport-node';
import { MemoryNetwork, NatsTransport, Process, Runtime, SystemClock, memoryLogger, type ExitReason, type Logger, type MemoryTransport, type UPID } from '@tessera/process';
import { startNatsServer, stopAllNatsServers, type NatsServer } from '../src/index.js';

/** What the shared runtime suite needs from a transport: runtimes on nodes, and a raw sender. */
export interface TransportFixture {
  readonly name: string;
  setup(): Promise<void>;
  runtime(node: string, logger?: Logger): Promise<Runtime>;
  /** Sends raw bytes to process `name` on `node`, bypassing every runtime (for bad input). */
  sendRaw(node: string, name: string, bytes: Uint8Array): Promise<void>;
  teardown(): Promise<void>;
}

/** Runtimes on one in-memory network. */
export function memoryFixture(): TransportFixture {
  let network = new MemoryNetwork();
  let runtimes: Runtime[] = [];
  let rogue: MemoryTransport | undefined;
  return {
    name: 'memory',
    async setup() {
      network = new MemoryNetwork();
      rogue = undefined;
      runtimes = [];
    },
    async runtime(node, logger = memoryLogger()) {
      const runtime = await Runtime.create({ transport: network.transport(node), logger });
      runtimes.push(runtime);
      return runtime;
    },
    async sendRaw(node, name, bytes) {
      rogue ??= network.transport('rogue');
      if (!network.nodeNames().includes('rogue')) {
        await rogue.start({ deliver: () => {}, nodeLost: () => {}, disconnected: () => {}, reconnected: () => {}, publishFailed: () => {} }, new SystemClock());
      }
      rogue.send(node, name, bytes);
    },
    async teardown() {
      await Promise.all(runtimes.map((r) => r.stop()));
    },
  };
}

/** Runtimes each on its own connection to one real nats-server. */
export function natsFixture(options: { heartbeatMs?: number } = {}): TransportFixture {
  let server: NatsServer | undefined;
  let runtimes: Runtime[] = [];
  let raw: NatsConnection | undefined;
  return {
    name: 'nats',
    async setup() {
      server ??= await startNatsServer();
      runtimes = [];
    },
    async runtime(node, logger = memoryLogger()) {
      const transport = new NatsTransport({ node, servers: server!.url, heartbeatMs: options.heartbeatMs ?? 100 });
      const runtime = await Runtime.create({ transport, logger });
      runtimes.push(runtime);
      return runtime;
    },
    async sendRaw(node, name, bytes) {
      raw ??= await connect({ servers: server!.url });
      raw.publish(`tessera.default.${node}.${name}`, bytes);
      await raw.flush();
    },
    async teardown() {
      await Promise.all(runtimes.map((r) => r.stop()));
    },
  };
}

/** Stops the servers a NATS fixture started; call once after the suite. */
export async function stopFixtureServers(): Promise<void> {
  await stopAllNatsServers();
}

/** Links to whatever it is told to, and keeps the exits it hears of (with when it heard them). */
export class Watcher extends Process {
  readonly exits: { pid: UPID; reason: ExitReason; at: number }[] = [];
  protected initialize(): void {}
  protected override exited(pid: UPID, reason: ExitReason): void {
    this.exits.push({ pid, reason, at: performance.now() });
  }
  watch(pid: UPID): void {
    this.link(pid);
  }
}
