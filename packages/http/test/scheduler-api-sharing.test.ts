import os from 'node:os';
import { expect } from 'chai';
import { Resources, type Offer, type TaskInfo } from '@tessera/protocol';
import { SchedulerDriver } from '@tessera/scheduler-driver';
import { startNatsServer, type NatsServer } from '@tessera/test-harness';
import { memoryLogger } from '@tessera/process';
import { JSON_CODEC } from './scheduler-api-client.js';
import { HttpFramework, commandTask } from './scheduler-api-framework.js';
import { eventually, startHttpCluster, type HttpCluster } from './support.js';

const TASK = 'cpus:1;mem:32';
const cpusOf = (offer: { resources: { name: string; scalar?: { value: number } }[] }): number =>
  offer.resources.filter((r) => r.name === 'cpus').reduce((sum, r) => sum + (r.scalar?.value ?? 0), 0);

/**
 * One framework over Mesos's HTTP API and one over NATS (the scheduler driver, on a node of its
 * own), each greedy for 1-cpu tasks but taking one per offer: one master, one allocator, and DRF
 * splits the agent's 4 cpus between them 2 and 2.
 */
describe('scheduler API beside the NATS driver', function () {
  this.timeout(60_000);
  let nats: NatsServer;
  let cluster: HttpCluster;
  let overHttp: HttpFramework;
  let overNats: SchedulerDriver;
  let launched = 0;

  before(async () => {
    nats = await startNatsServer();
    cluster = await startHttpCluster({ nats: { servers: nats.url, cluster: 'scheduler-api-sharing' } });
  });

  after(async () => {
    await overNats?.stop();
    await overHttp?.events.close();
    await cluster?.stop();
    await nats?.stop();
  });

  it('share one allocator fairly: 2 of the 4 cpus each', async () => {
    overHttp = new HttpFramework(cluster.masterHttp.url, JSON_CODEC, { name: 'over-http', failover_timeout: 0 });
    overHttp.onOffer = (offer) => {
      if (cpusOf(offer) >= 1) void overHttp.launch(offer, [commandTask(`http-${launched++}`, 'exec sleep 600', offer, TASK)], 0);
      else void overHttp.decline(offer, 0);
    };
    overNats = new SchedulerDriver({
      framework: { user: os.userInfo().username, name: 'over-nats', roles: ['*'], failover_timeout: 0 },
      nats: { servers: nats.url, cluster: 'scheduler-api-sharing' },
      logger: memoryLogger(),
      scheduler: {
        offers: (offers: Offer[]) => {
          for (const offer of offers) {
            if (cpusOf(offer) < 1) {
              overNats.decline([offer.id.value], { refuse_seconds: 0 });
              continue;
            }
            const task: TaskInfo = {
              name: 'nats', task_id: { value: `nats-${launched++}` }, agent_id: offer.agent_id,
              resources: Resources.parse(TASK).withAllocation(offer.allocation_info?.role ?? '*').toJSON(), command: { value: 'exec sleep 600', shell: true },
            };
            overNats.launch([offer.id.value], [task], { refuse_seconds: 0 });
          }
        },
      },
    });
    const natsId = await overNats.start();
    await overHttp.subscribe();
    const live = (frameworkId: string): number => cluster.master.state.frameworks.get(frameworkId)?.tasks.size ?? 0;
    await eventually('the 4 cpus of the agent are taken', () => live(natsId) + live(overHttp.frameworkId) === 4, 30_000);
    expect({ http: live(overHttp.frameworkId), nats: live(natsId) }).to.deep.equal({ http: 2, nats: 2 });
    // The master runs the HTTP framework's tasks like any other's.
    const running = (frameworkId: string) => [...cluster.master.state.frameworks.get(frameworkId)!.tasks.values()].filter((t) => t.task.state === 'TASK_RUNNING').length;
    await eventually('all four run', () => running(natsId) + running(overHttp.frameworkId) === 4, 30_000);
  });
});
