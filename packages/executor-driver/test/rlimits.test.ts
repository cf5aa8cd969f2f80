import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Rlimits } from '../src/command-line.js';
import { ExecutorRigs } from './executor-rig.js';
import { commandTask } from './fake-agent.js';
import { eventually } from './support.js';

const rigs = new ExecutorRigs();

/** Runs one shell command under `rlimits` with a real process; resolves with its last update and stdout. */
async function runUnder(rlimits: Rlimits | undefined, command: string, timeoutMs = 10_000) {
  const { agent, executor, directory, launcher } = await rigs.start({ rlimits });
  agent.launch(executor.pid, commandTask('t1', command));
  await eventually('the task ends', () => ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED'].includes(agent.last('t1')?.state ?? ''), timeoutMs);
  return { status: agent.last('t1')!, stdout: await readFile(path.join(directory, 'stdout'), 'utf8'), launcher };
}

afterEach(() => rigs.cleanUp());

describe('CommandExecutor rlimits (real processes)', () => {
  it('shows the limits inside the task, set in the same process that runs the command', async () => {
    const { status, stdout, launcher } = await runUnder(
      { nofile: 64, cpu_seconds: 30, data_bytes: 512 * 1024 * 1024 },
      'ulimit -n; ulimit -Hn; ulimit -t; ulimit -Ht; ulimit -d',
    );
    expect(status.state).to.equal('TASK_FINISHED');
    // The cpu limit's hard side is a second later, so that SIGXCPU comes before SIGKILL.
    expect(stdout).to.equal('64\n64\n30\n31\n524288\n');
    // One spawn: the limiting shell execs the task's shell; no helper process.
    expect(launcher.specs.map((s) => s.file)).to.deep.equal(['/bin/sh']);
  });

  it('refuses to open more files than nofile allows', async () => {
    const opens = 'exec 3</dev/null 4</dev/null 5</dev/null 6</dev/null 7</dev/null';
    expect((await runUnder(undefined, opens)).status.state).to.equal('TASK_FINISHED');
    const limited = await runUnder({ nofile: 5 }, opens);
    expect(limited.status).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_COMMAND_EXECUTOR_FAILED' });
  });

  it('stops a task that uses up its cpu seconds (SIGXCPU)', async () => {
    const { status } = await runUnder({ cpu_seconds: 1 }, 'while :; do :; done', 15_000);
    expect(status).to.deep.include({ state: 'TASK_FAILED', message: 'Command terminated by signal SIGXCPU' });
  });

  it('fails the task with status 127 when a limit cannot be set (above the hard limit)', async () => {
    const { status, stdout } = await runUnder({ nofile: 2 ** 40 }, 'echo ran');
    expect(status).to.deep.include({ state: 'TASK_FAILED', message: 'Command exited with status 127' });
    expect(stdout).to.equal('');
  });

  it('passes a command with quotes and dollars through the limiting shell untouched', async () => {
    const { stdout } = await runUnder({ nofile: 64 }, `x='it'"'"'s'; echo "$x \\$HOME" "$0"`);
    expect(stdout).to.equal("it's $HOME /bin/sh\n");
  });
});
