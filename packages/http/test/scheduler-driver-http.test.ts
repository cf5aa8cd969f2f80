import os from 'node:os';
import { expect } from 'chai';
import { memoryLogger } from '@tessera/process';
import { Resources, TERMINAL_TASK_STATES, type Offer, type TaskState, type TaskStatus } from '@tessera/protocol';
import { SchedulerDriver, type FrameworkInfo, type SchedulerDriverOptions } from '@tessera/scheduler-driver';
import { startNatsServer, type NatsServer } from '@tessera/test-harness';
import { eventually, startHttpCluster, type HttpCluster } from './support.js';

// The scheduler driver's HTTP connector (packages/scheduler-driver/src/http) against a real
// cluster. It lives here, not in the driver's package, because @tessera/http's tests already
// depend on the driver: the other way round would be a cycle.

/** A framework that runs queued shell commands, one task per command, through a driver over HTTP. */
class HttpDriverFramework {
  readonly updates: TaskStatus[] = [];
  readonly offers: Offer[] = [];
  readonly disconnects: number[] = [];
  heartbeats = 0;
  readonly logger = memoryLogger();
  readonly driver: SchedulerDriver;
  private readonly queue: { id: string; command: string }[] = [];

  constructor(master: string, options: Partial<SchedulerDriverOptions> & { info?: Partial<FrameworkInfo> } = {}) {
    const { info, ...rest } = options;
    this.driver = new SchedulerDriver({
      framework: { user: os.userInfo().username, name: 'driver-over-http', roles: ['*'], failover_timeout: 60, ...info },
      master,
      logger: this.logger,
      scheduler: {
        offers: (offers) => {
          this.offers.push(...offers);
          for (const offer of offers) {
            const need = Resources.parse('cpus:0.1;mem:32').withAllocation(offer.allocation_info?.role ?? '*');
            const tasks = this.queue.splice(0).map(({ id, command }) => ({
              name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: need.toJSON(), command: { value: command, shell: true },
            }));
            if (tasks.length > 0) this.driver.launch([offer.id], tasks, { refuse_seconds: 0.05 });
            else this.driver.decline([offer.id], { refuse_seconds: 0.05 });
          }
        },
        update: (status) => { this.updates.push(status); },
        heartbeat: () => { this.heartbeats += 1; },
        disconnected: () => { this.disconnects.push(Date.now()); },
      },
      ...rest,
    });
  }

  run(id: string, command: string): void {
    this.queue.push({ id, command });
  }

  latest(taskId: string): TaskStatus | undefined {
    return this.updates.filter((u) => u.task_id.value === taskId).at(-1);
  }

  async waitFor(taskId: string, state: TaskState, where: (status: TaskStatus) => boolean = () => true): Promise<TaskStatus> {
    await eventually(`task ${taskId} reaches ${state} (now ${this.latest(taskId)?.state})`, () => {
      const status = this.latest(taskId);
      return status?.state === state && where(status);
    }, 20_000);
    return this.latest(taskId)!;
  }
}

describe('SchedulerDriver over HTTP against a real cluster', function () {
  this.timeout(90_000);
  let nats: NatsServer;
  let cluster: HttpCluster;
  const frameworks: HttpDriverFramework[] = [];

  before(async () => {
    nats = await startNatsServer();
    cluster = await startHttpCluster({ nats: { servers: nats.url, cluster: 'driver-over-http' }, masterFlags: { frameworkHeartbeatMs: 300 } });
  });

  after(async () => {
    for (const framework of frameworks) await framework.driver.stop({ failover: false });
    await cluster?.stop();
    await nats?.stop();
  });

  const framework = (master: string, options: ConstructorParameters<typeof HttpDriverFramework>[1] = {}): HttpDriverFramework => {
    const made = new HttpDriverFramework(master, options);
    frameworks.push(made);
    return made;
  };
  const frameworkState = (id: string) => cluster.master.state.frameworks.get(id);

  for (const contentType of ['json', 'protobuf'] as const) {
    it(`runs a framework's whole life in ${contentType}: tasks finish and are killed, reconciliation answers, stop() tears it down`, async () => {
      const acknowledged = (): number => cluster.master.counters.get('master/messages_acknowledge') ?? 0;
      const acknowledgedBefore = acknowledged();
      const fw = framework(cluster.masterHttp.url, { contentType });
      const id = await fw.driver.start();
      expect(frameworkState(id)?.lifecycle.value).to.equal('active');
      fw.run('hello', 'echo hi');
      fw.run('sleeper', 'exec sleep 600');
      const finished = await fw.waitFor('hello', 'TASK_FINISHED');
      expect(finished.agent_id?.value).to.equal(cluster.agent.id);
      await fw.waitFor('sleeper', 'TASK_RUNNING');
      // Implicit acknowledgements: each update that carries a uuid is acknowledged through the master.
      const due = fw.updates.filter((u) => u.uuid !== undefined).length;
      expect(due).to.be.at.least(3);
      await eventually('every update is acknowledged', () => acknowledged() >= acknowledgedBefore + due);
      fw.driver.kill('sleeper', cluster.agent.id!);
      await fw.waitFor('sleeper', 'TASK_KILLED');
      fw.driver.reconcile([{ task_id: 'sleeper', agent_id: cluster.agent.id! }]);
      await fw.waitFor('sleeper', 'TASK_KILLED', (s) => s.reason === 'REASON_RECONCILIATION');
      await fw.driver.stop();
      await eventually('the master forgets the framework', () => !cluster.master.state.frameworks.has(id));
      expect(cluster.master.state.isCompletedFramework(id)).to.equal(true);
      expect(TERMINAL_TASK_STATES.has(fw.latest('hello')!.state)).to.equal(true);
    });
  }

  it('stays subscribed on the real master\'s heartbeats', async () => {
    const fw = framework(cluster.masterHttp.url);
    await fw.driver.start();
    // 8 heartbeats at 300 ms outlast the 1.5 s of silence (5 heartbeats) after which the driver would leave.
    await eventually('eight heartbeats arrive', () => fw.heartbeats >= 8, 20_000);
    expect(fw.disconnects).to.deep.equal([]);
    expect(fw.driver.state).to.equal('subscribed');
    await fw.driver.stop();
  });

  it('follows a standby\'s 307 to the leader and subscribes there', async () => {
    const standby = await cluster.startStandby();
    const fw = framework(standby.url);
    const id = await fw.driver.start();
    expect(frameworkState(id)?.lifecycle.value).to.equal('active');
    const followed = fw.logger.lines.filter((l) => l.message.includes('is not the leading master; following its redirect')).map((l) => l.message);
    expect(followed).to.deep.equal([`${standby.url}/api/v1/scheduler is not the leading master; following its redirect to ${cluster.masterHttp.url}/api/v1/scheduler`]);
    fw.run('via-standby', 'echo redirected');
    await fw.waitFor('via-standby', 'TASK_FINISHED');
    await fw.driver.stop();
    await eventually('the master forgets the framework', () => !cluster.master.state.frameworks.has(id));
  });

  it('fails over: a new driver with the framework id takes over the running task of one that left', async () => {
    const first = framework(cluster.masterHttp.url);
    const id = await first.driver.start();
    first.run('survivor', 'exec sleep 600');
    await first.waitFor('survivor', 'TASK_RUNNING');
    await first.driver.stop({ failover: true });
    await eventually('the master marks the framework disconnected', () => frameworkState(id)?.lifecycle.value !== 'active');
    const second = framework(cluster.masterHttp.url, { info: { id: { value: id } }, tasksToReconcile: () => [{ task_id: 'survivor', agent_id: cluster.agent.id! }] });
    expect(await second.driver.start()).to.equal(id);
    expect(frameworkState(id)?.lifecycle.value).to.equal('active');
    // The reconciliation after SUBSCRIBED reports the task the first driver launched.
    const status = await second.waitFor('survivor', 'TASK_RUNNING');
    expect(status.agent_id?.value).to.equal(cluster.agent.id);
    second.driver.kill('survivor', cluster.agent.id!);
    await second.waitFor('survivor', 'TASK_KILLED');
  });
});
