import { expect } from 'chai';
import { executorEnvironment, executorEnvironmentVariables, hostEnvironment } from '../src/environment.js';

describe('executor environment', () => {
  const env = { natsServers: ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223'], cluster: 'c1', agent: 'agent@node-1', frameworkId: 'f1', executorId: 'e1', sandbox: '/sb' };

  it('reads back what the agent sets, with Mesos names alongside', () => {
    const vars = executorEnvironmentVariables(env);
    expect(vars).to.include({ MESOS_FRAMEWORK_ID: 'f1', MESOS_EXECUTOR_ID: 'e1', MESOS_SANDBOX: '/sb', MESOS_DIRECTORY: '/sb', TESSERA_NATS_URL: 'nats://127.0.0.1:4222,nats://127.0.0.1:4223' });
    expect(executorEnvironment(vars)).to.deep.equal(env);
  });

  it("accepts Mesos's names when Tessera's are missing, and the default cluster", () => {
    expect(executorEnvironment({
      TESSERA_NATS_URL: 'nats://x:1', TESSERA_AGENT: 'agent@n', MESOS_FRAMEWORK_ID: 'f', MESOS_EXECUTOR_ID: 'e', MESOS_DIRECTORY: '/d',
    })).to.deep.equal({ natsServers: ['nats://x:1'], cluster: 'default', agent: 'agent@n', frameworkId: 'f', executorId: 'e', sandbox: '/d' });
  });

  it('names every missing or malformed variable at once', () => {
    expect(() => executorEnvironment({ TESSERA_AGENT: 'no-at-sign' })).to.throw(
      "executor environment: TESSERA_NATS_URL is not set; TESSERA_AGENT 'no-at-sign' is not a pid (name@node); "
      + 'TESSERA_FRAMEWORK_ID or MESOS_FRAMEWORK_ID is not set; TESSERA_EXECUTOR_ID or MESOS_EXECUTOR_ID is not set; '
      + 'TESSERA_SANDBOX or MESOS_SANDBOX or MESOS_DIRECTORY is not set',
    );
  });
});

describe('executor host environment', () => {
  it('reads servers, cluster, node name, idle time and the spawner\'s nofile', () => {
    expect(hostEnvironment({ TESSERA_NATS_URL: 'nats://a:1', TESSERA_HOST_NODE: 'host-1', TESSERA_HOST_IDLE_MS: '500', TESSERA_SPAWNER_NOFILE: '1024' }))
      .to.deep.equal({ natsServers: ['nats://a:1'], cluster: 'default', node: 'host-1', idleMs: 500, spawnerNofile: 1024 });
  });

  it('refuses a node name that cannot be a subject token, a bad idle time and a bad nofile', () => {
    expect(() => hostEnvironment({ TESSERA_NATS_URL: 'nats://a:1', TESSERA_HOST_NODE: 'host.1', TESSERA_HOST_IDLE_MS: 'soon', TESSERA_SPAWNER_NOFILE: '0' }))
      .to.throw(/TESSERA_HOST_NODE 'host\.1' is not a node name.*TESSERA_HOST_IDLE_MS must be a non-negative integer.*TESSERA_SPAWNER_NOFILE must be a positive integer/);
  });
});
