// The simulator's task launcher: a task "runs" for its duration on the clock, forks nothing, and
// a signal ends it a turn later, as a real kill does.
import { expect } from 'chai';
import { ManualClock } from '@tessera/process';
import type { LaunchSpec, TaskExit } from '@tessera/executor-driver';
import { SIM_DURATION_VARIABLE, SimTaskLauncher, simDurationMs } from '../src/sim/index.js';

function spec(file: string, args: string[], env: Record<string, string> = {}): LaunchSpec {
  return { file, args, env, cwd: '/tmp', stdoutPath: '/nowhere/stdout', stderrPath: '/nowhere/stderr' };
}

describe('simDurationMs', () => {
  it('takes the task variable first', () => {
    expect(simDurationMs(spec('/bin/sh', ['-c', 'sleep 9'], { [SIM_DURATION_VARIABLE]: '250' }), 5_000)).to.equal(250);
  });

  it('reads `sleep N` in seconds, through a shell or exec\'d directly, limits or not', () => {
    expect(simDurationMs(spec('/bin/sh', ['-c', 'sleep 2.5']), 5_000)).to.equal(2_500);
    expect(simDurationMs(spec('/usr/bin/sleep', ['3']), 5_000)).to.equal(3_000);
    // As commandLine wraps a plain command in the shell that sets rlimits.
    expect(simDurationMs(spec('/bin/sh', ['-c', 'ulimit -n 1024 || exit 127; exec "$0" "$@"', '/bin/sleep', '4']), 5_000)).to.equal(4_000);
  });

  it('falls back to the default for any other command', () => {
    expect(simDurationMs(spec('/bin/true', []), 5_000)).to.equal(5_000);
    expect(simDurationMs(spec('/bin/sh', ['-c', 'sleep 1; echo done']), 700)).to.equal(700);
    expect(simDurationMs(spec('/bin/sh', ['-c', 'sleep x']), 700)).to.equal(700);
  });
});

describe('SimTaskLauncher', () => {
  it('starts a task at once and ends it with status 0 after its duration, not before', () => {
    const clock = new ManualClock();
    const launcher = new SimTaskLauncher(clock, 1_000);
    const exits: TaskExit[] = [];
    let started = 0;
    const pid = launcher.launch(spec('/bin/sh', ['-c', 'sleep 2']), (exit) => exits.push(exit), () => { started += 1; });
    expect(pid).to.be.greaterThan(4_194_304); // above Linux's largest pid_max: never a real process
    expect(started).to.equal(1);
    expect(launcher.running).to.equal(1);
    clock.advance(1_999);
    expect(exits).to.deep.equal([]);
    clock.advance(1);
    expect(exits).to.deep.equal([{ code: 0, signal: null }]);
    expect([launcher.launched, launcher.running]).to.deep.equal([1, 0]);
  });

  it('ends a signalled task with the signal, on the next timer turn, once', () => {
    const clock = new ManualClock();
    const launcher = new SimTaskLauncher(clock, 60_000);
    const exits: TaskExit[] = [];
    const pid = launcher.launch(spec('/bin/true', []), (exit) => exits.push(exit));
    launcher.signalGroup(pid, 'SIGTERM');
    expect(exits).to.deep.equal([]); // not inside the kill call
    clock.advance(0);
    launcher.signalGroup(pid, 'SIGKILL'); // already gone: nothing
    clock.advance(60_000);
    expect(exits).to.deep.equal([{ code: null, signal: 'SIGTERM' }]);
  });

  it('refuses a negative default duration', () => {
    expect(() => new SimTaskLauncher(new ManualClock(), -1)).to.throw('>= 0 ms');
  });
});
