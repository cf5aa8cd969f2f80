import { expect } from 'chai';
import { encodeEnvelope } from '@tessera/protocol';
import { AskTimeoutError, Echo, Process, UndeliverableError, memoryLogger } from '@tessera/process';
import { PingCounter, eventually } from '../src/index.js';
import { Watcher, memoryFixture, natsFixture, stopFixtureServers, type TransportFixture } from './runtime-fixtures.js';

for (const fixture of [memoryFixture(), natsFixture()] as TransportFixture[]) {
  describe(`runtime over the ${fixture.name} transport`, () => {
    beforeEach(() => fixture.setup());
    afterEach(() => fixture.teardown());

    it('answers an ask across nodes', async () => {
      const a = await fixture.runtime('a');
      const b = await fixture.runtime('b');
      const echo = b.spawn(new Echo('echo'));
      const pong = await a.ask(echo.pid, 'demo.Ping', { seq: 7, text: 'hi' }, { expect: 'demo.Pong' });
      expect(pong).to.deep.equal({ seq: 7, text: 'hi' });
    });

    it('delivers messages from one sender in the order sent', async () => {
      const a = await fixture.runtime('a');
      const b = await fixture.runtime('b');
      const counter = b.spawn(new PingCounter('counter'));
      for (let seq = 0; seq < 2000; seq += 1) a.post(counter.pid, 'demo.Ping', { seq });
      await counter.reached(2000);
      expect(counter.seqs).to.deep.equal([...Array(2000).keys()]);
    });

    it('delivers interleaved sends to several processes of a node, each in order', async () => {
      const a = await fixture.runtime('a');
      const b = await fixture.runtime('b');
      const counters = ['c1', 'c2', 'c3'].map((name) => b.spawn(new PingCounter(name)));
      // One turn: over NATS they travel as one frame on the node's subject.
      for (let seq = 0; seq < 300; seq += 1) a.post(counters[seq % 3]!.pid, 'demo.Ping', { seq });
      await Promise.all(counters.map((c) => c.reached(100)));
      counters.forEach((c, i) => expect(c.seqs).to.deep.equal([...Array(100).keys()].map((k) => k * 3 + i)));
    });

    it('serves processes on one node concurrently', async () => {
      const a = await fixture.runtime('a');
      const b = await fixture.runtime('b');
      class Stuck extends Process {
        protected initialize(): void {
          this.install('demo.Ping', () => new Promise<void>(() => {}));
        }
      }
      const stuck = b.spawn(new Stuck('stuck'));
      const echo = b.spawn(new Echo('echo'));
      a.post(stuck.pid, 'demo.Ping', { seq: 1 });
      expect(await a.ask(echo.pid, 'demo.Ping', { seq: 2 }, { expect: 'demo.Pong' })).to.deep.equal({ seq: 2 });
    });

    it('rejects an ask nobody answers with AskTimeoutError', async () => {
      const a = await fixture.runtime('a');
      const b = await fixture.runtime('b');
      const counter = b.spawn(new PingCounter('mute'));
      const err = await a.ask(counter.pid, 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong', timeoutMs: 100 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(AskTimeoutError);
    });

    it('reports a message to a process that does not exist', async () => {
      const a = await fixture.runtime('a');
      const b = await fixture.runtime('b');
      const err = await a.ask('nobody@b', 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong' }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(UndeliverableError);
      expect((err as Error).message).to.contain('no such process');
      expect(b.metrics.get('process/messages_undeliverable')).to.equal(1);
    });

    it('reports a message to a node that does not exist', async () => {
      const a = await fixture.runtime('a');
      const err = await a.ask('echo@nowhere', 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong' }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(UndeliverableError);
      expect((err as Error).message).to.contain('no node nowhere');
    });

    it('drops invalid and undecodable messages, counts them, and keeps serving', async () => {
      const logger = memoryLogger();
      const a = await fixture.runtime('a');
      const b = await fixture.runtime('b', logger);
      const echo = b.spawn(new Echo('echo'));
      await fixture.sendRaw('b', 'echo', new Uint8Array([0xc1, 0x00]));
      await fixture.sendRaw('b', 'echo', encodeEnvelope({ type: 'demo.Ping', from: 'x@a', to: echo.pid, id: '1', body: { seq: -1 } }));
      await fixture.sendRaw('b', 'echo', encodeEnvelope({ type: 'demo.Bogus', from: 'x@a', to: echo.pid, id: '2', body: {} }));
      await eventually('three bad messages counted', () =>
        b.metrics.get('process/messages_dropped_undecodable') + b.metrics.get('process/messages_dropped_invalid') + b.metrics.get('process/messages_dropped_unknown_type') === 3);
      expect(await a.ask(echo.pid, 'demo.Ping', { seq: 3 }, { expect: 'demo.Pong' })).to.deep.equal({ seq: 3 });
      expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).to.include.members([
        'dropped an invalid message: invalid demo.Ping: body/seq must be >= 0',
        "dropped an invalid message: unknown message type 'demo.Bogus'",
      ]);
    });

    it('survives a message whose sender is not a pid, and keeps reading', async () => {
      const a = await fixture.runtime('a');
      const b = await fixture.runtime('b');
      const echo = b.spawn(new Echo('echo'));
      await fixture.sendRaw('b', 'nobody', encodeEnvelope({ type: 'demo.Ping', from: 'xyz', to: 'nobody@b', id: '1', body: { seq: 1 } }));
      await eventually('the bad sender is counted', () => b.metrics.get('process/messages_dropped_invalid') === 1);
      expect(await a.ask(echo.pid, 'demo.Ping', { seq: 2 }, { expect: 'demo.Pong' })).to.deep.equal({ seq: 2 });
    });

    it('tells a linked process when its peer terminates', async () => {
      const a = await fixture.runtime('a');
      const b = await fixture.runtime('b');
      const echo = b.spawn(new Echo('echo'));
      const watcher = a.spawn(new Watcher('watcher'));
      watcher.watch(echo.pid);
      // The link message goes first on the same path, so a round trip orders it before terminate.
      await a.ask(echo.pid, 'demo.Ping', { seq: 0 }, { expect: 'demo.Pong' });
      b.terminate(echo.pid);
      await eventually('exited', () => watcher.exits.length > 0);
      expect(watcher.exits.map(({ pid, reason }) => ({ pid, reason }))).to.deep.equal([{ pid: 'echo@b', reason: 'terminated' }]);
    });

    it('tells a linker at once when the linked process does not exist', async () => {
      const a = await fixture.runtime('a');
      await fixture.runtime('b');
      const watcher = a.spawn(new Watcher('watcher'));
      watcher.watch('ghost@b');
      await eventually('exited', () => watcher.exits.length > 0);
      expect(watcher.exits.map(({ pid, reason }) => ({ pid, reason }))).to.deep.equal([{ pid: 'ghost@b', reason: 'no-such-process' }]);
    });
  });
}

after(() => stopFixtureServers());
