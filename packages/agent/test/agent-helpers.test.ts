import { expect } from 'chai';
import { Random } from '@tessera/process';
import { Backoff } from '../src/backoff.js';
import { commandTaskRlimits, customExecutorEnvironment, mesosDuration, spawnEnvironment } from '../src/executor-environment.js';
import { updateUuid } from '@tessera/protocol';
import { planGroup, planTask } from '../src/launch-plan.js';
import { pathIdError, sandboxPath } from '../src/sandbox.js';
import { UpdateStreams } from '../src/update-streams.js';
import { commandTask, framework } from './support.js';

describe('registration back-off', () => {
  it('draws the first wait below the factor, then each retry from the upper half of a window that doubles up to the cap', () => {
    const backoff = new Backoff(1_000, 60_000);
    const random = new Random(5);
    const windows: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const { from, below } = backoff.currentWindowMs();
      windows.push(`${from}-${below}`);
      const wait = backoff.next(random);
      expect(wait).to.be.at.least(from).and.below(below);
    }
    expect(windows).to.deep.equal(['0-1000', '1000-2000', '2000-4000', '4000-8000', '8000-16000', '16000-32000', '30000-60000', '30000-60000', '30000-60000', '30000-60000']);
    backoff.reset();
    expect(backoff.currentWindowMs()).to.deep.equal({ from: 0, below: 1_000 });
  });

  it('refuses a cap below the factor', () => {
    expect(() => new Backoff(1_000, 500)).to.throw(/bad back-off/);
  });
});

describe('executor environment', () => {
  const policy = { rlimitNofile: 1024, rlimitCpuSeconds: undefined, enforceMemoryRlimit: true };

  it('limits a command task\'s data to its memory, and only when asked', () => {
    expect(commandTaskRlimits(commandTask('t'), policy)).to.deep.equal({ nofile: 1024, dataBytes: 64 * 1024 * 1024 });
    expect(commandTaskRlimits(commandTask('t'), { ...policy, enforceMemoryRlimit: false, rlimitCpuSeconds: 30 })).to.deep.equal({ nofile: 1024, cpuSeconds: 30 });
    expect(commandTaskRlimits(undefined, { ...policy, rlimitNofile: 0 })).to.deep.equal({});
  });

  it('puts the limits and the executor identity in the Spawn environment', () => {
    const env = spawnEnvironment('F1', 'e1', '/sb', { nofile: 10, cpuSeconds: 5, dataBytes: 100 });
    expect(Object.fromEntries(env.variables.map((v) => [v.name, v.value]))).to.deep.equal({
      MESOS_FRAMEWORK_ID: 'F1', MESOS_EXECUTOR_ID: 'e1', MESOS_DIRECTORY: '/sb',
      TESSERA_RLIMIT_NOFILE: '10', TESSERA_RLIMIT_CPU_SECONDS: '5', TESSERA_RLIMIT_DATA_BYTES: '100',
    });
  });

  it('gives a custom executor the agent\'s environment, the executor variables, then its own', () => {
    const env = customExecutorEnvironment({
      base: { PATH: '/bin', TESSERA_AGENT: 'stale', GONE: undefined },
      command: { value: 'x', environment: { variables: [{ name: 'PATH', value: '/opt/bin' }, { name: 'EMPTY' }] } },
      frameworkId: 'F1', executorId: 'e1', directory: '/sb', agent: 'agent@n', nats: undefined, shutdownGracePeriodMs: 5_000,
    });
    expect(env).to.deep.equal({
      PATH: '/opt/bin', EMPTY: '', TESSERA_AGENT: 'agent@n', TESSERA_FRAMEWORK_ID: 'F1', TESSERA_EXECUTOR_ID: 'e1', TESSERA_SANDBOX: '/sb',
      MESOS_FRAMEWORK_ID: 'F1', MESOS_EXECUTOR_ID: 'e1', MESOS_SANDBOX: '/sb', MESOS_DIRECTORY: '/sb', MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '5secs',
      MESOS_CHECKPOINT: '0', MESOS_HTTP_COMMAND_EXECUTOR: '0',
    });
  });

  it('gives a custom executor Mesos\'s variables: its agent\'s id and HTTP endpoint, and how to reconnect when its framework checkpoints', () => {
    const base = {
      base: {}, command: { value: 'x' }, frameworkId: 'F1', executorId: 'e1', directory: '/sb', agent: 'agent@n', nats: undefined,
      shutdownGracePeriodMs: 5_000, recoveryTimeoutMs: 15 * 60_000, agentId: 'A-S0', subscriptionBackoffMaxMs: 2_000,
    };
    const mesos = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('MESOS_')));
    expect(mesos(customExecutorEnvironment({ ...base, agentEndpoint: '127.0.0.1:5051', checkpoint: true }))).to.deep.equal({
      MESOS_FRAMEWORK_ID: 'F1', MESOS_EXECUTOR_ID: 'e1', MESOS_DIRECTORY: '/sb', MESOS_SANDBOX: '/sb', MESOS_SLAVE_ID: 'A-S0',
      MESOS_AGENT_ENDPOINT: '127.0.0.1:5051', MESOS_CHECKPOINT: '1', MESOS_HTTP_COMMAND_EXECUTOR: '0',
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '5secs', MESOS_RECOVERY_TIMEOUT: '15mins', MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs',
    });
    // No HTTP server: no endpoint. No checkpointing: the executor is not told how to reconnect (Mesos: it exits).
    const plain = mesos(customExecutorEnvironment({ ...base, checkpoint: false }));
    expect(plain).to.not.have.any.keys('MESOS_AGENT_ENDPOINT', 'MESOS_RECOVERY_TIMEOUT', 'MESOS_SUBSCRIPTION_BACKOFF_MAX');
    expect(plain.MESOS_CHECKPOINT).to.equal('0');
    expect(customExecutorEnvironment({ ...base, checkpoint: false }).TESSERA_RECOVERY_TIMEOUT_MS).to.equal('900000');
  });

  it('writes durations as Mesos does: the largest unit reached, or the next smaller one when that is whole', () => {
    const cases: [number, string][] = [
      [0.5, '500000ns'], [1, '1ms'], [250, '250ms'], [1_000, '1secs'], [1_500, '1500ms'], [5_000, '5secs'], [90_000, '90secs'],
      [120_000, '2mins'], [15 * 60_000, '15mins'], [3_600_000, '1hrs'], [2 * 86_400_000, '2days'], [7 * 86_400_000, '1weeks'], [10 * 86_400_000, '10days'],
    ];
    for (const [ms, text] of cases) expect(mesosDuration(ms), `${ms} ms`).to.equal(text);
    expect(() => mesosDuration(-1)).to.throw(/non-negative/);
  });
});

describe('launch plans', () => {
  it('gives a command task a command executor named after it', () => {
    const planned = planTask(framework(), commandTask('t1'));
    expect(planned.ok && planned.plan).to.deep.include({ kind: 'command' });
    expect(planned.ok && planned.plan.info.executor_id.value).to.equal('t1');
  });

  it('refuses tasks Mesos would refuse, saying why', () => {
    const both = { ...commandTask('t'), executor: { executor_id: { value: 'e' }, command: { value: 'x' } } };
    const { command: _c, ...neither } = commandTask('t');
    const noCommand = { ...neither, executor: { executor_id: { value: 'e' } } };
    const escape = commandTask('../etc');
    const otherFramework = { ...neither, executor: { executor_id: { value: 'e' }, framework_id: { value: 'F2' }, command: { value: 'x' } } };
    const cases: [unknown, RegExp][] = [
      [planTask(framework(), both), /exactly one of/],
      [planTask(framework(), neither), /exactly one of/],
      [planTask(framework(), noCommand), /no command/],
      [planTask(framework(), escape), /cannot name a directory|holds '\/'/],
      [planTask(framework(), otherFramework), /names framework F2/],
    ];
    for (const [result, error] of cases) expect((result as { ok: false; error: string }).error).to.match(error);
  });

  it('runs a DEFAULT group in the host and a CUSTOM one by its command', () => {
    const tasks = [commandTask('a'), commandTask('b')];
    const byDefault = planGroup(framework(), { executor_id: { value: 'pod' }, type: 'DEFAULT' }, tasks);
    expect(byDefault.ok && byDefault.plan.kind).to.equal('default');
    const custom = planGroup(framework(), { executor_id: { value: 'pod' }, type: 'CUSTOM', command: { value: 'run' } }, tasks);
    expect(custom.ok && custom.plan.kind).to.equal('custom');
    const twice = planGroup(framework(), { executor_id: { value: 'pod' }, type: 'DEFAULT' }, [commandTask('a'), commandTask('a')]);
    expect(!twice.ok && twice.error).to.match(/same task id twice/);
  });

  it('makes update uuids of 16 random bytes', () => {
    const random = new Random(1);
    const a = updateUuid(random);
    expect(Buffer.from(a, 'base64')).to.have.length(16);
    expect(updateUuid(random)).to.not.equal(a);
  });
});

describe('sandbox paths', () => {
  it('lays runs out as Mesos does, and refuses ids that would leave the work directory', () => {
    expect(sandboxPath('/w', 'S1', 'F1', 'e1', 'r1')).to.equal('/w/agents/S1/frameworks/F1/executors/e1/runs/r1');
    expect(pathIdError('ok-id.1')).to.equal(undefined);
    expect(pathIdError('..')).to.match(/cannot name a directory/);
    expect(pathIdError('a/b')).to.match(/'\/'/);
  });
});

describe('update streams', () => {
  it('keeps frameworks apart even when their task ids are the same', () => {
    const streams = new UpdateStreams();
    expect(streams.update('F1', { task_id: { value: 't' }, state: 'TASK_RUNNING', uuid: 'a' }, 0)?.uuid).to.equal('a');
    expect(streams.update('F2', { task_id: { value: 't' }, state: 'TASK_RUNNING', uuid: 'b' }, 0)?.uuid).to.equal('b');
    const ack = streams.acknowledge('F2', 't', 'b', 1);
    expect(ack.ok && ack.acked.uuid).to.equal('b');
    expect(streams.heads().map((h) => [h.frameworkId, h.status.uuid])).to.deep.equal([['F1', 'a']]);
    expect(streams.isPending('F1', 't', 'a')).to.equal(true);
    expect(streams.nextRetryAt()).to.equal(10_000);
    streams.forget('F1');
    expect(streams.nextRetryAt()).to.equal(undefined);
  });
});
