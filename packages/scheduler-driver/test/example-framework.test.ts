import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { MemoryNetwork, Runtime, memoryLogger } from '@tessera/process';
import type { Messages } from '@tessera/protocol';
import { runExample } from './example-framework.js';
import { FakeMaster } from './fake-master.js';
import { offer } from './support.js';

type Call = Messages['scheduler.Call'];

describe('the example framework', () => {
  const runtimes: Runtime[] = [];
  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.stop();
  });

  it('launches N copies into the offers that fit, declines the rest, counts the ends and tears down', async () => {
    // Real clock here: the example runs as a framework would, with nothing driving time by hand.
    const network = new MemoryNetwork();
    const logger = memoryLogger();
    const masterRuntime = await Runtime.create({ transport: network.transport('master'), logger });
    const schedRuntime = await Runtime.create({ transport: network.transport('sched'), logger });
    runtimes.push(masterRuntime, schedRuntime);
    const master = masterRuntime.spawn(new FakeMaster());
    master.onCall = (call: Call, from: string) => {
      if (call.type === 'SUBSCRIBE') {
        // a1 holds four copies, a2 one; a3 has too little memory for any.
        const offers = [offer('o1', 'a1', 'cpus:2;mem:512'), offer('o2', 'a2', 'cpus:0.5;mem:64'), offer('o3', 'a3', 'cpus:4;mem:16')];
        master.event(from, { type: 'OFFERS', offers: { offers } });
      }
      for (const task of call.accept?.operations[0]?.launch?.task_infos ?? []) {
        const id = task.task_id.value;
        const end = id === 'example-2' ? 'TASK_FAILED' : 'TASK_FINISHED';
        for (const state of ['TASK_RUNNING', end] as const) {
          master.event(from, { type: 'UPDATE', update: { status: { task_id: task.task_id, agent_id: task.agent_id, state, uuid: `${id}-${state}` } } });
        }
      }
    };

    const result = await runExample({ runtime: schedRuntime, copies: 5, command: 'echo hello', resources: 'cpus:0.5;mem:64' });

    expect(result).to.deep.equal({ finished: 4, failed: 1 });
    const calls = master.nonSubscribeCalls();
    const launched = calls.filter((c) => c.type === 'ACCEPT').map((c) => [c.accept!.offer_ids[0]!.value, c.accept!.operations[0]!.launch!.task_infos.length]);
    expect(launched).to.deep.equal([['o1', 4], ['o2', 1]]);
    expect(master.callsOf('DECLINE')).to.deep.equal([{ framework_id: { value: 'fw-0001' }, type: 'DECLINE', decline: { offer_ids: [{ value: 'o3' }], filters: { refuse_seconds: 60 } } }]);
    expect(master.callsOf('ACKNOWLEDGE')).to.have.length(10);
    expect(calls.at(-1)).to.deep.equal({ framework_id: { value: 'fw-0001' }, type: 'TEARDOWN' });
    expect(master.callsOf('SUBSCRIBE')[0]!.subscribe!.framework_info.user).to.not.equal('');
  });

  it('is the code docs/example-framework.md shows', () => {
    const doc = readFileSync(new URL('../../../../docs/example-framework.md', import.meta.url), 'utf8');
    const shown = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    const source = readFileSync(new URL('../../test/example-framework.ts', import.meta.url), 'utf8');
    expect(shown).to.equal(source.replace("from '../src/index.js'", "from '@tessera/scheduler-driver'"));
    expect(shown!.split('\n').length).to.be.lessThan(60);
  });
});
