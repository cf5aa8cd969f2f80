import { expect } from 'chai';
import { StaticMasterDetector } from '@tessera/leader';
import { MemoryNetwork, Runtime, memoryLogger } from '@tessera/process';
import { InvalidCallError } from '../src/errors.js';
import { SchedulerDriver } from '../src/scheduler-driver.js';
import type { SchedulerDriverOptions } from '../src/types.js';

describe('SchedulerDriver options', () => {
  let runtime: Runtime;
  before(async () => { runtime = await Runtime.create({ transport: new MemoryNetwork().transport('sched'), logger: memoryLogger() }); });
  after(async () => { await runtime.stop(); });

  const make = (options: Partial<SchedulerDriverOptions>) => () =>
    new SchedulerDriver({ framework: { user: 'u', name: 'n' }, scheduler: {}, runtime, ...options } as SchedulerDriverOptions);

  it('refuses a FrameworkInfo the master would refuse, naming the field', () => {
    expect(make({ framework: { user: 'u', name: '' } })).to.throw(InvalidCallError, /invalid SUBSCRIBE call: .*name/);
    expect(make({ framework: { user: 'u', name: 'n', failover_timeout: -1 } })).to.throw(InvalidCallError, /failover_timeout/);
    expect(make({ framework: { user: 'u', name: 'n', roles: [''] } })).to.throw(InvalidCallError, /roles/);
  });

  it('wants exactly one of runtime and nats', () => {
    expect(make({ runtime: undefined })).to.throw(TypeError, /exactly one of options.runtime and options.nats/);
    expect(make({ nats: { servers: 'nats://127.0.0.1:4222' } })).to.throw(TypeError, /exactly one/);
    expect(make({ runtime: undefined, nats: { servers: ' ' } })).to.throw(TypeError, /must name a NATS server/);
  });

  it('refuses a master that is not a pid, a bad process name and callbacks that are not functions', () => {
    expect(make({ master: 'master' })).to.throw(TypeError, /options.master 'master' is not a pid/);
    expect(make({ name: 'a.b' })).to.throw(TypeError, /options.name 'a.b'/);
    expect(make({ scheduler: { offers: 'yes' } as never })).to.throw(TypeError, /options.scheduler.offers must be a function/);
    expect(make({ implicitAcknowledgements: 'no' as never })).to.throw(TypeError, /implicitAcknowledgements must be a boolean/);
  });

  it('refuses a detector that is not one, or given with master or detectMaster, and bad reconciliation options', () => {
    const detector = new StaticMasterDetector('master@master');
    expect(make({ detector: {} as never })).to.throw(TypeError, /options.detector must be a MasterDetector/);
    expect(make({ detector, master: 'master@master' })).to.throw(TypeError, /options.detector alone/);
    expect(make({ detector, detectMaster: async () => 'master@master' })).to.throw(TypeError, /options.detector alone/);
    expect(make({ reconcileOnSubscribe: 'no' as never })).to.throw(TypeError, /reconcileOnSubscribe must be a boolean/);
    expect(make({ tasksToReconcile: [] as never })).to.throw(TypeError, /tasksToReconcile must be a function/);
    expect(make({ detector })).not.to.throw();
  });

  it('has no pid while start() is still building its runtime, and none after start() failed', async () => {
    const driver = new SchedulerDriver({ framework: { user: 'u', name: 'n' }, scheduler: {}, nats: { servers: 'nats://127.0.0.1:1' }, logger: memoryLogger() });
    const started = driver.start().then(() => undefined, (e: Error) => e);
    expect(driver.pid).to.equal(undefined);
    expect(await started).to.be.instanceOf(Error);
    expect([driver.state, driver.pid]).to.deep.equal(['idle', undefined]);
  });

  it('refuses a process name already taken on the runtime and stays idle', async () => {
    const first = make({ name: 'taken', master: 'master@nowhere' })();
    void first.start().catch(() => undefined);
    const second = make({ name: 'taken' })();
    const err = await second.start().then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/already runs/);
    await first.stop({ failover: true });
    expect(second.state).to.equal('idle');
  });

  it('starts in state idle with no framework id or pid', () => {
    const driver = make({})();
    expect([driver.state, driver.frameworkId, driver.pid]).to.deep.equal(['idle', undefined, undefined]);
  });
});
