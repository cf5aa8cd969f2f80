import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Echo, MemoryNetwork, NatsTransport, Process, Runtime, SystemClock, memoryLogger, type ExitReason, type Logger, type MemoryTransport, type UPID } from '@tessera/process';
import { startEchoNode, startNatsServer, stopAllNatsServers, type ChildNode, type NatsServer } from '../src/index.js';

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

/**
 * An echo node in a child process, asked once from `runtime` (so it has answered a probe) and then
 * watched there by a Watcher: where a test of a lost node starts. `track` gets the child first,
 * so that it is killed after the test whatever happens.
 */
export async function watchedEchoChild(runtime: Runtime, options: { servers: string[]; node: string; heartbeatMs: number }, track: (child: ChildNode) => void): Promise<{ child: ChildNode; watcher: Watcher }> {
  const child = await startEchoNode(options);
  track(child);
  const watcher = runtime.spawn(new Watcher('watcher'));
  const pong = await runtime.ask(child.pid, 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong' });
  if (pong.seq !== 1) throw new Error(`the echo node answered seq ${pong.seq}, not 1`);
  watcher.watch(child.pid);
  return { child, watcher };
}

/** Node a's watcher linked to an Echo on node b (runtimes made by `runtimeOn`), with one round trip done. */
export async function linkedPair(runtimeOn: (node: string) => Promise<Runtime>): Promise<{ a: Runtime; echo: Echo; watcher: Watcher }> {
  const a = await runtimeOn('a');
  const b = await runtimeOn('b');
  const echo = b.spawn(new Echo('echo'));
  const watcher = a.spawn(new Watcher('watcher'));
  watcher.watch(echo.pid);
  await a.ask(echo.pid, 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong' });
  return { a, echo, watcher };
}

