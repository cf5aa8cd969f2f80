import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { InvalidArgumentError } from 'commander';
import { lineCount, machineId, masterUrl, role, sandboxPath, scalarQuantities, scheduleFile, scheduleProblem, seconds, taskState, weightList } from '../src/operator-parsers.js';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidArgumentError);
    return (err as Error).message;
  }
  throw new Error('expected the parser to refuse');
}

describe('operator argument parsers', () => {
  it('takes a master as a URL or host:port, and refuses other schemes', () => {
    expect(masterUrl('http://10.0.0.1:5050/')).to.equal('http://10.0.0.1:5050');
    expect(masterUrl('master-1:5050')).to.equal('http://master-1:5050');
    expect(refusal(() => masterUrl('nats://x:4222'))).to.equal("'nats://x:4222' is not an HTTP URL (expected http://host:port)");
    expect(refusal(() => masterUrl('http://'))).to.contain('is not a URL');
  });

  it('takes role names as Mesos does, hierarchical ones too', () => {
    expect(role('eng/backend')).to.equal('eng/backend');
    for (const bad of ['', '.', 'a/..', '-x', 'a b', 'a//b']) expect(refusal(() => role(bad))).to.equal(`'${bad}' is not a role name`);
  });

  it('reads cpus:4;mem:1024 as scalar quantities and refuses negatives, junk and repeats', () => {
    expect(scalarQuantities('cpus:4; mem:1024;')).to.deep.equal({ cpus: { value: 4 }, mem: { value: 1024 } });
    expect(refusal(() => scalarQuantities('cpus:-1'))).to.equal("'cpus:-1' is not name:amount (e.g. cpus:4;mem:1024)");
    expect(refusal(() => scalarQuantities('cpus'))).to.contain('is not name:amount');
    expect(refusal(() => scalarQuantities('cpus:1;cpus:2'))).to.equal("'cpus' is given twice");
    expect(refusal(() => scalarQuantities(';'))).to.contain('names no resource');
  });

  it('reads weights role=w,... with every weight above 0', () => {
    expect(weightList('eng=2,ops=0.5')).to.deep.equal({ eng: 2, ops: 0.5 });
    for (const bad of ['eng=0', 'eng', 'eng=', 'eng=x', 'a=1=2']) expect(refusal(() => weightList(bad))).to.contain('is not role=weight');
    expect(refusal(() => weightList('a b=1'))).to.equal("'a b' is not a role name");
  });

  it('reads seconds, line counts and task states', () => {
    expect(seconds('2.5')).to.equal(2.5);
    expect(refusal(() => seconds('-1'))).to.equal("'-1' is not a number of seconds");
    expect(lineCount('0')).to.equal(0);
    expect(refusal(() => lineCount('1.5'))).to.equal("'1.5' is not a whole number of lines");
    expect(taskState('running')).to.equal('TASK_RUNNING');
    expect(taskState('TASK_FAILED')).to.equal('TASK_FAILED');
    expect(refusal(() => taskState('sleeping'))).to.contain("'sleeping' is not a task state (staging, starting, running");
  });

  it('reads machines as HOSTNAME, HOSTNAME/IP or /IP', () => {
    expect(machineId('node-1')).to.deep.equal({ hostname: 'node-1' });
    expect(machineId('node-1/10.0.0.1')).to.deep.equal({ hostname: 'node-1', ip: '10.0.0.1' });
    expect(machineId('/10.0.0.1')).to.deep.equal({ ip: '10.0.0.1' });
    expect(refusal(() => machineId('/'))).to.contain('is not HOSTNAME, HOSTNAME/IP or /IP');
    expect(refusal(() => machineId('a/b/c'))).to.contain('is not HOSTNAME, HOSTNAME/IP or /IP');
    expect(refusal(() => machineId('node 1'))).to.equal("'node 1' is not a hostname");
    expect(refusal(() => machineId('n/10.0.0.x'))).to.equal("'10.0.0.x' is not an IP address");
  });

  it('keeps sandbox paths inside the sandbox', () => {
    expect(sandboxPath('./logs//out.txt')).to.equal('logs/out.txt');
    for (const bad of ['/etc/passwd', '../x', 'a/../../b', ' ']) expect(refusal(() => sandboxPath(bad))).to.contain('is not a path inside the sandbox');
  });

  it('checks a maintenance schedule file before anything is sent', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-schedule-'));
    try {
      const good = { windows: [{ machine_ids: [{ hostname: 'h1' }, { ip: '10.0.0.2' }], unavailability: { start: { nanoseconds: 1.7e18 }, duration: { nanoseconds: 3.6e12 } } }] };
      writeFileSync(path.join(dir, 'good.json'), JSON.stringify(good));
      writeFileSync(path.join(dir, 'bad.json'), '{"windows": [');
      writeFileSync(path.join(dir, 'extra.json'), JSON.stringify({ windows: [{ ...good.windows[0], when: 'soon' }] }));
      expect(scheduleFile(path.join(dir, 'good.json'))).to.deep.equal(good);
      expect(refusal(() => scheduleFile(path.join(dir, 'bad.json')))).to.contain('bad.json is not JSON');
      expect(refusal(() => scheduleFile(path.join(dir, 'missing.json')))).to.contain('missing.json: ENOENT');
      expect(refusal(() => scheduleFile(path.join(dir, 'extra.json')))).to.contain('must NOT have additional properties');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names what is wrong in a schedule', () => {
    expect(scheduleProblem([])).to.equal('expected {"windows": [...]}');
    expect(scheduleProblem({ windows: [{ machine_ids: [] }] })).to.equal('windows[0] needs machine_ids, a non-empty list');
    expect(scheduleProblem({ windows: [{ machine_ids: [{}] }] })).to.equal('windows[0].machine_ids[0] needs a hostname or an ip');
    expect(scheduleProblem({ windows: [{ machine_ids: [{ hostname: 'h' }], unavailability: { start: { nanoseconds: -1 } } }] })).to.equal('windows[0].unavailability.start needs {"nanoseconds": N}');
    expect(scheduleProblem({ windows: [{ machine_ids: [{ hostname: 'h' }], unavailability: { start: { nanoseconds: 0 }, duration: {} } }] })).to.equal('windows[0].unavailability.duration needs {"nanoseconds": N}');
    expect(scheduleProblem({ windows: [] })).to.equal(undefined);
  });
});
