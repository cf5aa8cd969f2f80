import { expect } from 'chai';
import { Echo, NatsTransport, Runtime, memoryLogger, type UPID } from '@tessera/process';
import { Watcher, linkedPair, watchedEchoChild } from './runtime-fixtures.js';
import { eventually, startNatsCluster, startNatsServer, stopAllNatsServers, type ChildNode, type NatsCluster, type NatsServer } from '../src/index.js';

const HEARTBEAT_MS = 100;

describe('runtime over NATS under faults', () => {
  let server: NatsServer;
  let runtimes: Runtime[] = [];
  let children: ChildNode[] = [];

  async function runtimeOn(node: string): Promise<Runtime> {
    const runtime = await Runtime.create({
      transport: new NatsTransport({ node, servers: server.url, heartbeatMs: HEARTBEAT_MS }),
      logger: memoryLogger(),
    });
    runtimes.push(runtime);
    return runtime;
  }

  /** A node on a 3-server cluster listing every server, server `first` first (as production nodes do). */
  async function runtimeOnCluster(cluster: NatsCluster, node: string, first: number, heartbeatMs: number): Promise<Runtime> {
    const servers = [...cluster.urls.slice(first), ...cluster.urls.slice(0, first)];
    const runtime = await Runtime.create({ transport: new NatsTransport({ node, servers, heartbeatMs }), logger: memoryLogger() });
    runtimes.push(runtime);
    return runtime;
  }

  /**
   * The first round trip between nodes on different servers of a cluster: retried, because a
   * server learns another's subscriptions over its routes a moment after they are made, and a
   * probe sent before that finds no node (under load, CI saw "no node b").
   */
  async function firstRoundTrip(from: Runtime, to: UPID): Promise<unknown> {
    let pong: unknown;
    await eventually(`a first round trip to ${to}`, () => {
      from.ask(to, 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong', timeoutMs: 500 }).then((p) => { pong = p; }, () => {});
      return pong !== undefined;
    }, 10_000, 100);
    return pong;
  }

  beforeEach(async () => {
    server = await startNatsServer();
    runtimes = [];
    children = [];
  });

  afterEach(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await Promise.all(runtimes.map((r) => r.stop()));
    await stopAllNatsServers();
  });

  it('reports node-lost when the OS process hosting a linked actor is SIGKILLed', async () => {
    const a = await runtimeOn('a');
    const { child, watcher } = await watchedEchoChild(a, { servers: [server.url], node: 'victim', heartbeatMs: HEARTBEAT_MS }, (c) => children.push(c));
    const killedAt = performance.now();
    await child.kill('SIGKILL');
    await eventually('the watcher hears of the dead node', () => watcher.exits.length > 0, 5_000);
    expect(watcher.exits.map(({ pid, reason }) => ({ pid, reason }))).to.deep.equal([{ pid: 'echo@victim', reason: 'node-lost' }]);
    // Three missed 100 ms heartbeats, checked every 100 ms: well under a second.
    expect(watcher.exits[0]!.at - killedAt).to.be.below(1_000);
  });

  it('does not declare live peers lost after its own event loop stalled', async () => {
    const { a, echo, watcher } = await linkedPair(runtimeOn);
    // Both nodes share this OS process, so the stall silences b's heartbeats as well: exactly
    // what a long GC pause or a slow synchronous handler does to a real node.
    const stallUntil = performance.now() + 6 * HEARTBEAT_MS;
    while (performance.now() < stallUntil) { /* a stuck event loop */ }
    // Five more heartbeat periods: long enough for a wrong verdict to have been reached.
    const checkUntil = performance.now() + 5 * HEARTBEAT_MS;
    await eventually('five heartbeat periods pass', () => performance.now() > checkUntil, 5_000, HEARTBEAT_MS);
    expect(watcher.exits).to.deep.equal([]);
    expect(await a.ask(echo.pid, 'demo.Ping', { seq: 2 }, { expect: 'demo.Pong' })).to.deep.equal({ seq: 2 });
  });

  it('breaks remote links on a lost connection, then serves again after reconnecting', async () => {
    const { a, echo, watcher } = await linkedPair(runtimeOn);
    await server.kill('SIGKILL');
    await eventually('the link breaks', () => watcher.exits.length > 0, 5_000);
    expect(watcher.exits[0]!.reason).to.equal('disconnected');
    await server.restart();
    let pong: unknown;
    await eventually('an ask succeeds after reconnecting', () => {
      a.ask(echo.pid, 'demo.Ping', { seq: 2 }, { expect: 'demo.Pong', timeoutMs: 200 }).then((p) => { pong = p; }, () => {});
      return pong !== undefined;
    }, 10_000, 250);
    expect(pong).to.deep.equal({ seq: 2 });
  });

  it('keeps serving through another server when its own server of a 3-server cluster dies', async () => {
    const cluster = await startNatsCluster({ size: 3, jetstream: false });
    const a = await runtimeOnCluster(cluster, 'a', 0, HEARTBEAT_MS);
    const b = await runtimeOnCluster(cluster, 'b', 1, HEARTBEAT_MS);
    const echo = b.spawn(new Echo('echo'));
    expect(await firstRoundTrip(a, echo.pid)).to.deep.equal({ seq: 1 });
    await cluster.servers[0]!.kill('SIGKILL');
    let pong: unknown;
    await eventually('an ask succeeds through another server', () => {
      a.ask(echo.pid, 'demo.Ping', { seq: 2 }, { expect: 'demo.Pong', timeoutMs: 200 }).then((p) => { pong = p; }, () => {});
      return pong !== undefined;
    }, 10_000, 100);
    expect(pong).to.deep.equal({ seq: 2 });
  });

  it('tells a linker on a node that stayed connected when the linked node lost its server', async () => {
    const cluster = await startNatsCluster({ size: 3, jetstream: false });
    // Heartbeats slow enough that b never declares a lost: only the link break can tell it.
    const a = await runtimeOnCluster(cluster, 'a', 0, 2_000);
    const b = await runtimeOnCluster(cluster, 'b', 1, 2_000);
    const echo = a.spawn(new Echo('echo'));
    const watcher = b.spawn(new Watcher('watcher'));
    await firstRoundTrip(b, echo.pid);
    watcher.watch(echo.pid);
    expect(await b.ask(echo.pid, 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong' })).to.deep.equal({ seq: 1 });
    // a reconnects to another server within milliseconds, too fast for b to see it lost; b must
    // still hear that the link broke (messages in the gap are gone), as over a broken TCP socket.
    await cluster.servers[0]!.kill('SIGKILL');
    await eventually('the far end of the link hears it broke', () => watcher.exits.length > 0, 5_000);
    expect(watcher.exits.map(({ pid, reason }) => ({ pid, reason }))).to.deep.equal([{ pid: 'echo@a', reason: 'disconnected' }]);
    // And the link can be made again.
    watcher.watch(echo.pid);
    expect(await b.ask(echo.pid, 'demo.Ping', { seq: 2 }, { expect: 'demo.Pong' })).to.deep.equal({ seq: 2 });
  });
});
