import { expect } from 'chai';
import { runExample } from './example-framework.js';
import { FakeHttpMaster } from './http-fake-master.js';
import { offer } from './support.js';

describe('the example framework over HTTP', () => {
  let master: FakeHttpMaster;
  beforeEach(async () => { master = await FakeHttpMaster.start('m1'); });
  afterEach(async () => { await master.stop(); });

  it('runs unchanged when given an HTTP master instead of NATS (docs/example-framework.md)', async () => {
    // Real clock, no runtime given: the driver builds its own, as a framework's main would.
    master.onCall = (call) => {
      const stream = master.stream!;
      if (call.type === 'SUBSCRIBE') void stream.send({ type: 'OFFERS', offers: { offers: [offer('o1', 'a1', 'cpus:2;mem:512'), offer('o2', 'a2', 'cpus:4;mem:16')] } });
      for (const task of call.accept?.operations[0]?.launch?.task_infos ?? []) {
        const end = task.task_id.value === 'example-1' ? 'TASK_FAILED' : 'TASK_FINISHED';
        for (const [n, state] of (['TASK_RUNNING', end] as const).entries()) {
          const uuid = Buffer.from(`${task.task_id.value}-${n}`.padEnd(16, '.')).toString('base64');
          void stream.send({ type: 'UPDATE', update: { status: { task_id: task.task_id, agent_id: task.agent_id!, state, uuid } } });
        }
      }
    };

    const result = await runExample({ master: master.url, copies: 3, command: 'echo hello', resources: 'cpus:0.5;mem:64' });

    expect(result).to.deep.equal({ finished: 2, failed: 1 });
    expect(master.calls('ACCEPT').map((c) => c.accept!.operations[0]!.launch!.task_infos.length)).to.deep.equal([3]);
    expect(master.calls('DECLINE').map((c) => c.decline!.offer_ids)).to.deep.equal([[{ value: 'o2' }]]);
    expect(master.calls('ACKNOWLEDGE')).to.have.length(6);
    expect(master.nonSubscribeCalls().at(-1)).to.deep.equal({ framework_id: { value: 'fw-0001' }, type: 'TEARDOWN' });
    expect(new Set(master.callRequests().map((r) => r.headers['mesos-stream-id']))).to.deep.equal(new Set(['m1-stream-1']));
  });
});
