import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../src/manual-clock.js';
import { memoryLogger } from '../src/logger.js';
import { Random } from '../src/random.js';
import { FileRecorder } from '../src/recorder.js';
import { ReplayTransport, readMessageLog, replayMessages } from '../src/replay.js';
import { Runtime } from '../src/runtime.js';
import { Process } from '../src/process.js';
import { Echo, memoryCluster } from './support.js';

/** On every ping, asks the echo on node a for ten times its seq; notes a timer after the first. */
class Relay extends Process {
  readonly calls: string[] = [];

  protected initialize(): void {
    this.install('demo.Ping', async (ping) => {
      this.calls.push(`ping ${ping.seq}`);
      if (ping.seq === 1) this.delay(50, () => { this.calls.push('timer after ping 1'); });
      const pong = await this.ask('echo@a', 'demo.Ping', { seq: ping.seq * 10 }, { expect: 'demo.Pong' });
      this.calls.push(`pong ${pong.seq}`);
    });
  }
}

describe('record and replay', () => {
  it('replaying a recorded log reproduces the same handler calls and sends', async () => {
    const logPath = path.join(mkdtempSync(path.join(tmpdir(), 'tessera-replay-')), 'run.log');
    // The recorded run: a relay on node b asks an echo on node a about every ping it gets,
    // and notes a timer; b records what it sends and receives.
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const recorder = new FileRecorder(logPath, 'b');
    b!.addRecorder(recorder);
    a!.spawn(new Echo('echo'));
    const relay = b!.spawn(new Relay('relay'));
    a!.post(relay.pid, 'demo.Ping', { seq: 1 });
    await clock.settle();
    clock.advance(60);
    a!.post(relay.pid, 'demo.Ping', { seq: 2 });
    await clock.settle();
    await recorder.close();
    expect(relay.calls).to.deep.equal(['ping 1', 'pong 10', 'timer after ping 1', 'ping 2', 'pong 20']);

    // The replay: node b alone, same seed, fed the log; its peers are not there.
    const transport = new ReplayTransport('b');
    const b2 = await Runtime.create({ transport, clock: new ManualClock(), logger: memoryLogger(), random: new Random(8) });
    const replayed = b2.spawn(new Relay('relay'));
    const records = await readMessageLog(logPath);
    const report = await replayMessages(records, b2);
    expect(report.delivered).to.equal(4);
    expect(replayed.calls).to.deep.equal(relay.calls);
    const recordedOut = records.filter((r) => r.dir === 'out').map((r) => r.message);
    expect(transport.sent).to.deep.equal(recordedOut);
  });

  it('records the direction and time of every message', async () => {
    const logPath = path.join(mkdtempSync(path.join(tmpdir(), 'tessera-replay-')), 'run.log');
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const recorder = new FileRecorder(logPath, 'a');
    a!.addRecorder(recorder);
    const echo = a!.spawn(new Echo('echo'));
    clock.advance(25);
    const pong = a!.ask(echo.pid, 'demo.Ping', { seq: 5 }, { expect: 'demo.Pong' });
    await clock.settle();
    await pong;
    await recorder.close();
    const records = await readMessageLog(logPath);
    expect(records.map((r) => `${r.t} ${r.dir} ${r.message.type} ${r.message.from}->${r.message.to}`)).to.deep.equal([
      '25 out demo.Ping _ask@a->echo@a',
      '25 in demo.Ping _ask@a->echo@a',
      '25 out demo.Pong echo@a->_ask@a',
      '25 in demo.Pong echo@a->_ask@a',
    ]);
  });

  it('reading a log with a broken line names the line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-replay-'));
    const logPath = path.join(dir, 'bad.log');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(logPath, '{"t":1,"dir":"in","node":"a","message":{}}\nnot json\n');
    const err = await readMessageLog(logPath).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/bad\.log:2: not JSON/);
  });
});
