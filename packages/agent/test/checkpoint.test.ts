import { expect } from 'chai';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TaskStatus } from '@tessera/protocol';
import { CheckpointWriter, checkpointPaths, planRecovery, readCheckpoint } from '../src/index.js';
import { commandTask, framework } from './support.js';

const status = (state: TaskStatus['state'], uuid: string): TaskStatus => ({ task_id: { value: 't1' }, state, uuid, source: 'SOURCE_EXECUTOR' });

describe('checkpoint files', () => {
  let dir: string;
  let writer: CheckpointWriter;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-checkpoint-'));
    writer = new CheckpointWriter(dir);
    writer.agent({ node: 'n1', boot_id: 'b1', agent_id: 'S1' });
    writer.framework(framework('F1'));
    writer.executor('F1', { info: { executor_id: { value: 't1' }, command: { value: 'sleep 1' } }, kind: 'command', run_id: 'r1', directory: '/x', pid: 'command-executor-0@h' });
    writer.task('F1', { info: commandTask('t1'), executor_id: 't1', executor_kind: 'command' });
    writer.update('F1', 't1', status('TASK_RUNNING', 'u1'));
    writer.ack('F1', 't1', 'u1');
    writer.update('F1', 't1', status('TASK_FINISHED', 'u2'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what was written: agent, framework, executor with its pid, task and its stream in order', () => {
    const read = readCheckpoint(dir);
    expect(read.agent).to.deep.equal({ node: 'n1', boot_id: 'b1', agent_id: 'S1' });
    const [fw] = read.frameworks;
    expect(fw!.info.id).to.deep.equal({ value: 'F1' });
    expect(fw!.executors.map((e) => [e.info.executor_id.value, e.pid])).to.deep.equal([['t1', 'command-executor-0@h']]);
    expect(fw!.tasks[0]!.records).to.deep.equal([{ update: status('TASK_RUNNING', 'u1') }, { ack: 'u1' }, { update: status('TASK_FINISHED', 'u2') }]);
  });

  it('drops a last update line that the agent\'s death cut short', () => {
    appendFileSync(checkpointPaths.updatesFile(dir, 'F1', 't1'), '{"ack":"u');
    expect(readCheckpoint(dir).frameworks[0]!.tasks[0]!.records).to.have.length(3);
  });

  it('refuses a bad line that is not the last, naming the file and line', () => {
    const file = checkpointPaths.updatesFile(dir, 'F1', 't1');
    writeFileSync(file, '{"ack":"u1"}\nnot json\n{"ack":"u2"}\n');
    expect(() => readCheckpoint(dir)).to.throw(/corrupt checkpoint .*updates: line 2 is not JSON/);
  });

  it('forgets removed tasks, executors and frameworks', () => {
    writer.removeTask('F1', 't1');
    writer.removeExecutor('F1', 't1');
    expect(readCheckpoint(dir).frameworks[0]).to.deep.include({ executors: [], tasks: [] });
    writer.removeFramework('F1');
    expect(readCheckpoint(dir).frameworks).to.deep.equal([]);
  });

  it('recovers within the same boot only, and only an agent that has an id', () => {
    const read = readCheckpoint(dir);
    expect(planRecovery(read, 'b1').kind).to.equal('recover');
    expect(planRecovery(read, 'b2')).to.deep.include({ kind: 'fresh', wipe: true });
    expect(planRecovery({ ...read, agent: { node: 'n1', boot_id: 'b1' } }, 'b1')).to.deep.include({ kind: 'fresh', wipe: true });
    expect(planRecovery({ agent: undefined, frameworks: [] }, 'b1')).to.deep.include({ kind: 'fresh', wipe: false });
  });
});
