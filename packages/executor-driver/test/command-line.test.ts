import { expect } from 'chai';
import { commandLine, describeExit, gracePeriodMs, rlimitsFromEnvironment, ulimitLine } from '../src/command-line.js';

describe('commandLine', () => {
  it('runs a shell command (the default) with /bin/sh -c', () => {
    expect(commandLine({ value: 'echo hi' })).to.deep.equal({ file: '/bin/sh', args: ['-c', 'echo hi'] });
  });

  it('execs a plain command of an absolute path without the shell, keeping the shell as fallback', () => {
    expect(commandLine({ value: ' /bin/echo a  b-1 x=y ' })).to.deep.equal({
      file: '/bin/echo', args: ['a', 'b-1', 'x=y'], fallback: { file: '/bin/sh', args: ['-c', ' /bin/echo a  b-1 x=y '] },
    });
    for (const value of ['echo hi', 'true', '/bin/echo $HOME', '/bin/ls *', "/bin/echo 'a b'", '/bin/true; /bin/false', '/bin/true # c', '/bin/cat < x', 'A=1 /bin/true', '/bin/echo ~', '/bin/echo a\\ b']) {
      expect(commandLine({ value }), value).to.deep.equal({ file: '/bin/sh', args: ['-c', value] });
    }
  });

  it('execs value with arguments[0] as argv[0] when shell is false', () => {
    expect(commandLine({ shell: false, value: '/bin/echo', arguments: ['echo', 'a', 'b'] }))
      .to.deep.equal({ file: '/bin/echo', args: ['a', 'b'], argv0: 'echo' });
    expect(commandLine({ shell: false, value: '/bin/true' })).to.deep.equal({ file: '/bin/true', args: [] });
  });

  it('sets limits in one shell that then execs the command, passed as a parameter, never spliced', () => {
    expect(commandLine({ value: "echo '$x'" }, { nofile: 64 })).to.deep.equal({
      file: '/bin/sh', args: ['-c', 'ulimit -n 64 || exit 127; exec /bin/sh -c "$0"', "echo '$x'"],
    });
    expect(commandLine({ value: '/bin/echo a b' }, { nofile: 64 })).to.deep.equal({
      file: '/bin/sh', args: ['-c', 'ulimit -n 64 || exit 127; exec "$0" "$@"', '/bin/echo', 'a', 'b'],
    });
    expect(commandLine({ shell: false, value: 'printf', arguments: ['printf', '%s', 'a b'] }, { nofile: 64 })).to.deep.equal({
      file: '/bin/sh', args: ['-c', 'ulimit -n 64 || exit 127; exec "$0" "$@"', 'printf', '%s', 'a b'],
    });
  });

  it('names what is missing when there is nothing to run', () => {
    expect(commandLine(undefined)).to.deep.equal({ error: 'the task has no command' });
    expect(commandLine({ value: ' ' })).to.deep.equal({ error: "the task's command is empty (CommandInfo.value)" });
    expect(commandLine({ shell: false })).to.have.property('error');
  });
});

describe('ulimitLine', () => {
  it('sets each limit in its own ulimit call (dash takes one), data in KiB rounded up, cpu hard a second past soft', () => {
    expect(ulimitLine({ data_bytes: 1_000, cpu_seconds: 5, nofile: 32 }))
      .to.equal('ulimit -d 1 && ulimit -S -t 5 && ulimit -H -t 6 && ulimit -n 32 || exit 127');
  });

  it('is nothing when there are no limits', () => {
    expect(ulimitLine(undefined)).to.equal(undefined);
    expect(ulimitLine({})).to.equal(undefined);
  });
});

describe('rlimitsFromEnvironment', () => {
  it('reads TESSERA_RLIMIT_* variables', () => {
    expect(rlimitsFromEnvironment({ TESSERA_RLIMIT_NOFILE: '128', TESSERA_RLIMIT_CPU_SECONDS: '10', TESSERA_RLIMIT_DATA_BYTES: '1048576', OTHER: 'x' }))
      .to.deep.equal({ nofile: 128, cpu_seconds: 10, data_bytes: 1_048_576 });
    expect(rlimitsFromEnvironment({ OTHER: 'x' })).to.equal(undefined);
  });

  it('refuses a value that is not a non-negative integer', () => {
    expect(() => rlimitsFromEnvironment({ TESSERA_RLIMIT_NOFILE: '-1' })).to.throw(/TESSERA_RLIMIT_NOFILE must be a non-negative integer/);
    expect(() => rlimitsFromEnvironment({ TESSERA_RLIMIT_CPU_SECONDS: '1.5' })).to.throw(/TESSERA_RLIMIT_CPU_SECONDS/);
  });
});

describe('describeExit', () => {
  it('reads status 0 as TASK_FINISHED and any other as TASK_FAILED', () => {
    expect(describeExit(0, null, false)).to.deep.equal({ state: 'TASK_FINISHED', message: 'Command exited with status 0' });
    expect(describeExit(3, null, false)).to.deep.equal({ state: 'TASK_FAILED', message: 'Command exited with status 3', reason: 'REASON_COMMAND_EXECUTOR_FAILED' });
    expect(describeExit(null, 'SIGSEGV', false)).to.deep.equal({ state: 'TASK_FAILED', message: 'Command terminated by signal SIGSEGV', reason: 'REASON_COMMAND_EXECUTOR_FAILED' });
  });

  it('reads any exit after a kill as TASK_KILLED', () => {
    expect(describeExit(null, 'SIGTERM', true)).to.deep.equal({ state: 'TASK_KILLED', message: 'Command terminated with signal SIGTERM' });
    expect(describeExit(0, null, true).state).to.equal('TASK_KILLED');
  });
});

describe('gracePeriodMs', () => {
  it("prefers the KILL's policy, then the task's, then the 3 s default", () => {
    const ns = (ms: number) => ({ grace_period: { nanoseconds: ms * 1_000_000 } });
    expect(gracePeriodMs(ns(100), ns(200))).to.equal(100);
    expect(gracePeriodMs(undefined, ns(200))).to.equal(200);
    expect(gracePeriodMs(undefined, undefined)).to.equal(3_000);
    expect(gracePeriodMs({}, undefined, 5_000)).to.equal(5_000);
    expect(gracePeriodMs({ grace_period: { nanoseconds: 1 } }, undefined)).to.equal(1);
  });
});
