#!/usr/bin/env node
/**
 * The far end of the NATS benchmarks, in its own OS process so that sender and receiver do not
 * share a core's event loop. It serves both sides of each comparison at once:
 *   actor: an Echo (`echo@peer`) and a Sink (`sink@peer`) on a Tessera runtime;
 *   raw:   a responder on `bench.raw.echo` and a counter on `bench.raw.sink`.
 * A sink, actor or raw, answers once it has counted the number of messages it was armed for.
 *   node peer.js --servers URL
 */
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { Echo, NatsTransport, Process, Runtime } from '@tessera/process';
import type { Messages } from '@tessera/protocol';

const { values } = parseArgs({ options: { servers: { type: 'string' } } });
if (values.servers === undefined) {
  console.error('usage: peer --servers URL');
  process.exit(2);
}

/** Counts pings; a ping with `text: 'arm'` sets how many to expect and who to tell. */
class Sink extends Process {
  private expected = 0;
  private seen = 0;
  private notify = '';

  protected initialize(): void {
    this.install('demo.Ping', this.onPing);
  }

  private onPing = (ping: Messages['demo.Ping'], message: { from: string }): void => {
    if (ping.text === 'arm') {
      this.expected = ping.seq;
      this.seen = 0;
      this.notify = message.from;
      return;
    }
    this.seen += 1;
    if (this.seen === this.expected) this.send(this.notify, 'demo.Pong', { seq: this.seen });
  };
}

const runtime = await Runtime.create({ transport: new NatsTransport({ node: 'peer', servers: values.servers }) });
runtime.spawn(new Echo('echo'));
runtime.spawn(new Sink('sink'));

const raw = await connect({ servers: values.servers });
raw.subscribe('bench.raw.echo', { callback: (_err, msg) => { msg.respond(msg.data); } });
let rawExpected = 0;
let rawSeen = 0;
raw.subscribe('bench.raw.arm', { callback: (_err, msg) => {
  rawExpected = Number(new TextDecoder().decode(msg.data));
  rawSeen = 0;
  msg.respond(new Uint8Array(0));
} });
raw.subscribe('bench.raw.sink', { callback: () => {
  rawSeen += 1;
  if (rawSeen === rawExpected) raw.publish('bench.raw.done', new Uint8Array(0));
} });
await raw.flush();
console.log(JSON.stringify({ ready: true }));
process.on('SIGTERM', () => process.exit(0));
