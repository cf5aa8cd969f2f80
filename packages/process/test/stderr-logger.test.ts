import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LOGGER = fileURLToPath(new URL('../src/logger.js', import.meta.url));

/** Runs `body` in a fresh node with `stderrLogger` imported as `logger`; its stderr, line by line, parsed. */
function stderrOf(body: string): { status: number | null; lines: unknown[] } {
  const script = `import { stderrLogger } from ${JSON.stringify(LOGGER)}; const logger = stderrLogger(); ${body}`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return { status: run.status, lines: run.stderr.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown) };
}

describe('stderrLogger', () => {
  it('writes the lines of a turn in order, at its level and above, and loses none when the process exits in that turn', () => {
    const before = Date.now();
    const { status, lines } = stderrOf("logger.log('info', 'a'); logger.log('debug', 'hidden'); logger.log('warn', 'b', { n: 1 }); process.exit(3);");
    expect(status).to.equal(3);
    const stamped = lines as { time: string }[];
    expect(stamped.map(({ time: _time, ...rest }) => rest)).to.deep.equal([{ level: 'info', msg: 'a' }, { level: 'warn', msg: 'b', n: 1 }]);
    for (const { time } of stamped) {
      expect(time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(time)).to.be.within(before, Date.now());
    }
    expect(Object.keys(stamped[0]!)[0]).to.equal('time');
  });

  it('writes lines of later turns after the earlier ones', () => {
    const { lines } = stderrOf("logger.log('info', 'first'); setImmediate(() => { logger.log('error', 'second'); setTimeout(() => logger.log('info', 'third'), 5); });");
    expect(lines.map((l) => (l as { msg: string }).msg)).to.deep.equal(['first', 'second', 'third']);
  });
});
