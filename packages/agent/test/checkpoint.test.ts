import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
    writer.flush();
  });
  afterEach(() => {
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads back what was written: agent, framework, executor with its pid, task and its stream in order', () => {
    const read = readCheckpoint(dir);
    expect(read.agent).to.deep.equal({ node: 'n1', boot_id: 'b1', agent_id: 'S1' });
    const [fw] = read.frameworks;
    expect(fw!.info.id).to.deep.equal({ value: 'F1' });
    expect(fw!.executors.map((e) => [e.info.executor_id.value, e.pid])).to.deep.equal([['t1', 'command-executor-0@h']]);
    expect(fw!.tasks[0]!.records).to.deep.equal([{ update: status('TASK_RUNNING', 'u1') }, { ack: 'u1' }, { update: status('TASK_FINISHED', 'u2') }]);
  });

  it('drops a last journal line that the agent\'s death cut short, and a writer opened after it leaves none behind', () => {
    appendFileSync(checkpointPaths.journal(dir), '{"framework_id":"F1","task_id":"t1","ack":"u');
    const read = readCheckpoint(dir);
    expect(read.frameworks[0]!.tasks[0]!.records).to.have.length(3);
    const next = new CheckpointWriter(dir, read.frameworks);
    next.ack('F1', 't1', 'u2');
    next.flush();
    expect(readCheckpoint(dir).frameworks[0]!.tasks[0]!.records).to.deep.equal([
      { update: status('TASK_RUNNING', 'u1') }, { ack: 'u1' }, { update: status('TASK_FINISHED', 'u2') }, { ack: 'u2' },
    ]);
    next.close();
  });

  it('refuses a bad line that is not the last, naming the file and line', () => {
    writer.close();
    const file = checkpointPaths.journal(dir);
    writeFileSync(file, `${readFileSync(file, 'utf8')}not json\n{"framework_id":"F1","task_id":"t1","ack":"u2"}\n`);
    expect(() => readCheckpoint(dir)).to.throw(/corrupt checkpoint .*journal: line 7 is not JSON/);
  });

  it('refuses a journal line about a framework it never named', () => {
    appendFileSync(checkpointPaths.journal(dir), '{"framework_id":"F9","task_removed":"t1"}\n');
    expect(() => readCheckpoint(dir)).to.throw(/journal: line 7: framework F9 was never checkpointed/);
  });

  it('skips, and reports, a record about what it never checkpointed, so recovery still reads the journal', () => {
    const skipped: string[] = [];
    const other = new CheckpointWriter(dir, readCheckpoint(dir).frameworks, (problem) => skipped.push(problem));
    other.ack('F1', 'nope', 'u9');
    other.flush();
    expect(skipped).to.deep.equal(['task nope of framework F1 was never checkpointed']);
    expect(readCheckpoint(dir).frameworks[0]!.tasks).to.have.length(1);
    other.close();
  });

  it('replaces a grown journal by what is still live', () => {
    const fat = { ...commandTask('t1'), data: 'x'.repeat(100_000) };
    for (let i = 0; i < 60; i++) {
      writer.task('F1', { info: { ...fat, task_id: { value: `big-${i}` } }, executor_id: 't1', executor_kind: 'command' });
      writer.removeTask('F1', `big-${i}`);
    }
    writer.flush();
    // 60 tasks of 100 kB each went through: past 4 MiB the journal was rewritten with only what lives.
    expect(statSync(checkpointPaths.journal(dir)).size).to.be.below(2 * 1024 * 1024);
    const read = readCheckpoint(dir);
    expect(read.frameworks[0]!.tasks.map((t) => t.task.info.task_id.value)).to.deep.equal(['t1']);
    expect(read.frameworks[0]!.tasks[0]!.records).to.have.length(3);
  });

  it('forgets removed tasks, executors and frameworks', () => {
    writer.removeTask('F1', 't1');
    writer.removeExecutor('F1', 't1');
    writer.flush();
    expect(readCheckpoint(dir).frameworks[0]).to.deep.include({ executors: [], tasks: [] });
    writer.removeFramework('F1');
    writer.flush();
    expect(readCheckpoint(dir).frameworks).to.deep.equal([]);
  });

  it('gathers a tick\'s appends and writes them in one go before the tick is over', async () => {
    const file = checkpointPaths.journal(dir);
    const before = readFileSync(file, 'utf8');
    writer.ack('F1', 't1', 'u2');
    writer.removeTask('F1', 't1');
    expect(readFileSync(file, 'utf8')).to.equal(before);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(readFileSync(file, 'utf8')).to.equal(`${before}{"framework_id":"F1","task_id":"t1","ack":"u2"}\n{"framework_id":"F1","task_removed":"t1"}\n`);
  });

  it('recovers within the same boot only, and only an agent that has an id', () => {
    const read = readCheckpoint(dir);
    expect(planRecovery(read, 'b1').kind).to.equal('recover');
    expect(planRecovery(read, 'b2')).to.deep.include({ kind: 'fresh', wipe: true });
    expect(planRecovery({ ...read, agent: { node: 'n1', boot_id: 'b1' } }, 'b1')).to.deep.include({ kind: 'fresh', wipe: true });
    expect(planRecovery({ agent: undefined, frameworks: [] }, 'b1')).to.deep.include({ kind: 'fresh', wipe: false });
  });
});
