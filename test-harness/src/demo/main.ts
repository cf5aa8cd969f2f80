#!/usr/bin/env node
/**
 * `npm run demo`: two actors in two OS processes talk over a real NATS server.
 *   1. starts a nats-server on free loopback ports;
 *   2. starts an echo node (its own OS process) hosting `echo@echo-node`;
 *   3. a pinger actor here asks it N pings, links to it, then stops it and hears it exit.
 * It prints what happens and exits 0 only if every step did what it should.
 *   node main.js [--pings N]
 */
import { parseArgs } from 'node:util';
import { NatsTransport, Process, Runtime, type ExitReason, type UPID } from '@tessera/process';
import { startNatsServer, stopAllNatsServers } from '../nats/index.js';
import { startEchoNode } from './child-node.js';

/** Pings a peer, and reports when the peer goes away. */
class Pinger extends Process {
  private onExit: ((pid: UPID, reason: ExitReason) => void) | undefined;

  protected initialize(): void {}

  protected override exited(pid: UPID, reason: ExitReason): void {
    this.onExit?.(pid, reason);
  }

  /** Asks `count` pings of `peer` one after another; returns each round trip in ms. */
  async pingAll(peer: UPID, count: number): Promise<number[]> {
    const rtts: number[] = [];
    for (let seq = 0; seq < count; seq += 1) {
      const t0 = performance.now();
      const pong = await this.ask(peer, 'demo.Ping', { seq, text: `hello ${seq}` }, { expect: 'demo.Pong' });
      if (pong.seq !== seq) throw new Error(`pong ${pong.seq} answers ping ${seq}`);
      rtts.push(performance.now() - t0);
    }
    return rtts;
  }

  /** Links to `peer` and resolves with the reason once it exits. */
  watchUntilExit(peer: UPID): Promise<ExitReason> {
    return new Promise((resolve) => {
      this.onExit = (pid, reason) => { if (pid === peer) resolve(reason); };
      this.link(peer);
    });
  }
}

const { values } = parseArgs({ options: { pings: { type: 'string', default: '1000' } } });
const count = Number(values.pings);
if (!Number.isInteger(count) || count <= 0) {
  console.error(`--pings must be a positive integer, got '${values.pings}'`);
  process.exit(2);
}

const server = await startNatsServer();
console.log(`nats-server ${server.url} (pid ${server.pid})`);
const echoNode = await startEchoNode({ servers: [server.url], node: 'echo-node', heartbeatMs: 200 });
console.log(`echo node: OS process ${echoNode.child.pid} hosts ${echoNode.pid}`);
const runtime = await Runtime.create({ transport: new NatsTransport({ node: 'demo', servers: server.url, heartbeatMs: 200 }) });
const pinger = runtime.spawn(new Pinger('pinger'));
try {
  const rtts = await pinger.pingAll(echoNode.pid, count);
  const sorted = [...rtts].sort((a, b) => a - b);
  const at = (p: number): string => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(3);
  console.log(`${pinger.pid} -> ${echoNode.pid}: ${count} pings answered in order; round trip p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
  const exited = pinger.watchUntilExit(echoNode.pid);
  await pinger.pingAll(echoNode.pid, 1); // the link is in place once a later message has been answered
  await echoNode.kill('SIGKILL');
  console.log(`killed the echo node with SIGKILL; ${pinger.pid} hears: exited(${echoNode.pid}, ${await exited})`);
  console.log('demo: ok');
} finally {
  await runtime.stop();
  await echoNode.kill();
  await stopAllNatsServers();
}
