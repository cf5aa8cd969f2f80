import { expect } from 'chai';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Echo, NatsTransport, Runtime, memoryLogger, type Transport, type UPID } from '@tessera/process';
import { Watcher, linkedPair, watchedEchoChild } from './runtime-fixtures.js';
import { eventually, startEchoNode, startNatsServer, stopAllNatsServers, type ChildNode, type NatsServer } from '../src/index.js';

const HEARTBEAT_MS = 100;

describe('node liveness over NATS', () => {
  let server: NatsServer;
  let runtimes: Runtime[] = [];
  let children: ChildNode[] = [];
  let connections: NatsConnection[] = [];

  async function runtimeOn(node: string, transport: Transport = new NatsTransport({ node, servers: server.url, heartbeatMs: HEARTBEAT_MS })): Promise<Runtime> {
    const runtime = await Runtime.create({ transport, logger: memoryLogger() });
    runtimes.push(runtime);
    return runtime;
  }

  async function rawConnection(): Promise<NatsConnection> {
    const connection = await connect({ servers: server.url });
    connections.push(connection);
    return connection;
  }

  before(async () => {
    server = await startNatsServer();
  });

  beforeEach(() => {
    runtimes = [];
    children = [];
    connections = [];
  });

  afterEach(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await Promise.all(runtimes.map((r) => r.stop()));
    await Promise.all(connections.map((c) => c.close()));
  });

  after(async () => {
    await stopAllNatsServers();
  });

  it('gives the nodes of one connection one subscription to a node they all watch', async () => {
    const master = await runtimeOn('m');
    const echo = master.spawn(new Echo('echo'));
    const shared = await rawConnection();
    const watchers: Watcher[] = [];
    for (let i = 0; i < 40; i += 1) {
      const runtime = await runtimeOn(`n${i}`, new NatsTransport({ node: `n${i}`, connection: shared, heartbeatMs: HEARTBEAT_MS }));
      const watcher = runtime.spawn(new Watcher('watcher'));
      watcher.watch(echo.pid);
      watchers.push(watcher);
    }
    // m's heartbeats reach the shared connection once each, not once per watching node.
    const before = shared.stats().inMsgs;
    const since = performance.now();
    await eventually('ten heartbeat periods pass', () => performance.now() - since > 10 * HEARTBEAT_MS, 5_000, HEARTBEAT_MS);
    const received = shared.stats().inMsgs - before;
    expect(received).to.be.within(5, 20);
    expect(watchers.flatMap((w) => w.exits)).to.deep.equal([]);
  });

  it('sends one probe of a node that 40 nodes of a connection watch at once, and tells all 40 when a node does not exist', async () => {
    const master = await runtimeOn('m');
    const echo = master.spawn(new Echo('echo'));
    const pings = await rawConnection();
    let pingsOfM = 0;
    pings.subscribe('tessera.default._ping.m', { callback: () => { pingsOfM += 1; } });
    await pings.flush();
    const shared = await rawConnection();
    const watchers: Watcher[] = [];
    for (let i = 0; i < 40; i += 1) {
      const runtime = await runtimeOn(`p${i}`, new NatsTransport({ node: `p${i}`, connection: shared, heartbeatMs: HEARTBEAT_MS }));
      watchers.push(runtime.spawn(new Watcher('watcher')));
    }
    for (const watcher of watchers) watcher.watch(echo.pid);
    for (const watcher of watchers) watcher.watch('ghost@nowhere' as UPID);
    await eventually('every watcher hears that ghost@nowhere does not exist', () => watchers.every((w) => w.exits.length === 1), 5_000, 10);
    expect(new Set(watchers.flatMap((w) => w.exits.map(({ pid, reason }) => `${pid} ${reason}`)))).to.deep.equal(new Set(['ghost@nowhere no-such-process']));
    await shared.flush();
    await pings.flush();
    expect(pingsOfM).to.equal(1);
    // m was heard (its answer, then its heartbeats): a later watcher needs no probe of its own.
    const late = await runtimeOn('late', new NatsTransport({ node: 'late', connection: shared, heartbeatMs: HEARTBEAT_MS }));
    late.spawn(new Watcher('watcher')).watch(echo.pid);
    await shared.flush();
    await pings.flush();
    expect(pingsOfM).to.equal(1);
  });

  it('gives a node that exists but has not answered its probe the unheard allowance, then loses it', async () => {
    // "mute" is subscribed (so NATS has responders for its probe) but never answers nor beats.
    const mute = await rawConnection();
    mute.subscribe('tessera.default._ping.mute', { callback: () => {} });
    mute.subscribe('tessera.default.mute.*', { callback: () => {} });
    await mute.flush();
    const a = await runtimeOn('a', new NatsTransport({ node: 'a', servers: server.url, heartbeatMs: HEARTBEAT_MS, unheardAllowanceMs: 20 * HEARTBEAT_MS }));
    const watcher = a.spawn(new Watcher('watcher'));
    const since = performance.now();
    watcher.watch('x@mute' as UPID);
    // Judged by three of the watcher's own 100 ms beats, it would be lost by now.
    await eventually('ten of the watcher\'s heartbeat periods pass', () => performance.now() - since > 10 * HEARTBEAT_MS, 5_000, HEARTBEAT_MS);
    expect(watcher.exits).to.deep.equal([]);
    await eventually('the mute node is lost once the allowance has passed', () => watcher.exits.length > 0, 10_000);
    expect(watcher.exits.map(({ pid, reason }) => ({ pid, reason }))).to.deep.equal([{ pid: 'x@mute', reason: 'node-lost' }]);
    expect(watcher.exits[0]!.at - since).to.be.at.least(20 * HEARTBEAT_MS);
  });

  it('finds at once that a node which answered a probe before it was watched has gone since', async () => {
    const a = await runtimeOn('a', new NatsTransport({ node: 'a', servers: server.url, heartbeatMs: 1_000 }));
    const b = await runtimeOn('b', new NatsTransport({ node: 'b', servers: server.url, heartbeatMs: 1_000 }));
    const echo = b.spawn(new Echo('echo'));
    expect(await a.ask(echo.pid, 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong' })).to.deep.equal({ seq: 1 });
    await b.stop();
    const watcher = a.spawn(new Watcher('watcher'));
    const since = performance.now();
    watcher.watch(echo.pid);
    // Its old answer gives its interval, not a sign of life: the probe on watching finds no one.
    await eventually('the watcher hears b is gone', () => watcher.exits.length > 0, 5_000, 10);
    expect(watcher.exits.map(({ pid, reason }) => ({ pid, reason }))).to.deep.equal([{ pid: 'echo@b', reason: 'node-lost' }]);
    expect(watcher.exits[0]!.at - since, 'found by the probe, not after three 1 s beats').to.be.below(1_000);
  });

  it('sends a probe again, rather than joining it, when the one in flight is old, and so finds a node gone since', async () => {
    const mute = await rawConnection();
    const ping = mute.subscribe('tessera.default._ping.mute', { callback: () => {} });
    mute.subscribe('tessera.default.mute.*', { callback: () => {} });
    await mute.flush();
    const shared = await rawConnection();
    const first = await runtimeOn('first', new NatsTransport({ node: 'first', connection: shared, heartbeatMs: HEARTBEAT_MS }));
    const second = await runtimeOn('second', new NatsTransport({ node: 'second', connection: shared, heartbeatMs: HEARTBEAT_MS }));
    first.spawn(new Watcher('watcher')).watch('x@mute' as UPID); // its probe waits: mute never answers
    const since = performance.now();
    await eventually('the first probe is over a second old', () => performance.now() - since > 1_200, 5_000, 50);
    ping.unsubscribe();
    await mute.flush();
    const watcher = second.spawn(new Watcher('watcher'));
    const watchedAt = performance.now();
    watcher.watch('x@mute' as UPID);
    await eventually('the second watcher hears mute does not exist', () => watcher.exits.length > 0, 5_000, 10);
    expect(watcher.exits.map(({ reason }) => reason)).to.deep.equal(['no-such-process']);
    expect(watcher.exits[0]!.at - watchedAt, 'by a fresh probe, not the unheard allowance').to.be.below(1_000);
  });

  it('judges a node by the interval it announces, not the watcher\'s own', async () => {
    const a = await runtimeOn('a');
    const { child, watcher } = await watchedEchoChild(a, { servers: [server.url], node: 'slow', heartbeatMs: 4 * HEARTBEAT_MS }, (c) => children.push(c));
    // Past three of the watcher's own intervals without a loss: the slow node is judged by its own.
    const since = performance.now();
    await eventually('six of the watcher\'s heartbeat periods pass', () => performance.now() - since > 6 * HEARTBEAT_MS, 5_000, HEARTBEAT_MS);
    expect(watcher.exits).to.deep.equal([]);
    const killedAt = performance.now();
    await child.kill('SIGKILL');
    await eventually('the watcher hears of the dead node', () => watcher.exits.length > 0, 10_000);
    expect(watcher.exits.map(({ pid, reason }) => ({ pid, reason }))).to.deep.equal([{ pid: 'echo@slow', reason: 'node-lost' }]);
    // Three of its 400 ms intervals since its last heartbeat, which came at most 400 ms before the kill.
    expect(watcher.exits[0]!.at - killedAt).to.be.at.least(2 * 4 * HEARTBEAT_MS);
  });

  it('tells a probe of a node present while its process runs and absent at once after SIGKILL', async () => {
    const child = await startEchoNode({ servers: [server.url], node: 'doomed', heartbeatMs: HEARTBEAT_MS });
    children.push(child);
    const a = await runtimeOn('a', new NatsTransport({ node: 'a', servers: server.url, heartbeatMs: HEARTBEAT_MS, probeSettleMs: 0 }));
    expect(await a.probeNode('doomed')).to.equal('present');
    expect(await a.probeNode('a'), 'its own node').to.equal('present');
    expect(await a.probeNode('never-was')).to.equal('absent');
    await child.kill('SIGKILL');
    const killedAt = performance.now();
    await eventually('the probe finds it gone', async () => (await a.probeNode('doomed')) === 'absent', 2_000, 10);
    // Long before its heartbeats would be missed (3 x 100 ms): the server dropped its subscriptions with its socket.
    expect(performance.now() - killedAt).to.be.below(3 * HEARTBEAT_MS);
  });

  it('does not call a node absent on a connection younger than the settle time (a server\'s routes may be coming up)', async () => {
    const a = await runtimeOn('a', new NatsTransport({ node: 'a', servers: server.url, heartbeatMs: HEARTBEAT_MS, probeSettleMs: 60_000 }));
    expect(await a.probeNode('never-was')).to.equal('unknown');
  });

  it('learns a slow node\'s interval from its answer to the probe, before its first heartbeat', async () => {
    const child = await startEchoNode({ servers: [server.url], node: 'sleepy', heartbeatMs: 30 * HEARTBEAT_MS });
    children.push(child);
    const a = await runtimeOn('a');
    const watcher = a.spawn(new Watcher('watcher'));
    watcher.watch(child.pid);
    // Its next heartbeat is up to 3 s away; judged by the watcher's 100 ms it would be lost by now.
    const since = performance.now();
    await eventually('ten of the watcher\'s heartbeat periods pass', () => performance.now() - since > 10 * HEARTBEAT_MS, 5_000, HEARTBEAT_MS);
    expect(watcher.exits).to.deep.equal([]);
    expect(await a.ask(child.pid, 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong' })).to.deep.equal({ seq: 1 });
  });

  it('reads the heartbeats waiting behind a flood of other messages before declaring a node lost', async () => {
    const { a, echo, watcher } = await linkedPair((node) => runtimeOn(node));
    // Undecodable messages for a, many more than it reads in three heartbeat periods: b's
    // heartbeats queue behind them in a's socket while a's timers keep firing on time.
    const flood = await rawConnection();
    const junk = new Uint8Array(512).fill(0xc1);
    const count = 40_000;
    const since = performance.now();
    for (let i = 0; i < count; i += 1) flood.publish('tessera.default.a.nobody', junk);
    await flood.flush();
    await eventually('a has read the flood', () => a.metrics.get('process/messages_dropped_undecodable') === count, 30_000, 10);
    const drainedMs = performance.now() - since;
    expect(drainedMs, 'the flood took longer to read than three heartbeat periods').to.be.above(3 * HEARTBEAT_MS);
    expect(watcher.exits).to.deep.equal([]);
    expect(await a.ask(echo.pid, 'demo.Ping', { seq: 2 }, { expect: 'demo.Pong' })).to.deep.equal({ seq: 2 });
  });
});
