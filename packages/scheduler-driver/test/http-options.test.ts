import { expect } from 'chai';
import { StaticMasterDetector } from '@tessera/leader';
import { memoryLogger } from '@tessera/process';
import { SchedulerDriver } from '../src/scheduler-driver.js';
import type { SchedulerDriverOptions } from '../src/types.js';
import { FakeHttpMaster } from './http-fake-master.js';
import { recordingScheduler } from './support.js';

describe('SchedulerDriver over HTTP: options', () => {
  const make = (options: Partial<SchedulerDriverOptions>) => () =>
    new SchedulerDriver({ framework: { user: 'u', name: 'n' }, scheduler: {}, master: 'http://127.0.0.1:5050', ...options } as SchedulerDriverOptions);

  it('needs neither a runtime nor NATS with an HTTP master', () => {
    expect(make({})).not.to.throw();
    expect(make({ master: 'https://m1.example:5050/', contentType: 'protobuf' })).not.to.throw();
  });

  it('refuses NATS, a detector or detectMaster beside an HTTP master, saying why', () => {
    expect(make({ nats: { servers: 'nats://127.0.0.1:4222' } })).to.throw(TypeError, /options.nats is not used with an HTTP master/);
    expect(make({ detector: new StaticMasterDetector('master@master') })).to.throw(TypeError, /followed through its 307 redirects/);
    expect(make({ detectMaster: async () => 'master@master' })).to.throw(TypeError, /followed through its 307 redirects/);
  });

  it('refuses a master URL with a path of its own, and a content type other than json and protobuf', () => {
    expect(make({ master: 'http://127.0.0.1:5050/state' })).to.throw(TypeError, /must be the master's address/);
    expect(make({ contentType: 'xml' as 'json' })).to.throw(TypeError, /options.contentType must be 'json' or 'protobuf', got "xml"/);
  });

  it('refuses contentType with a master reached by pid', () => {
    expect(make({ master: 'master@master', nats: { servers: 'nats://127.0.0.1:4222' }, contentType: 'json' })).to.throw(TypeError, /options.contentType is for an HTTP master/);
  });

  it('builds and stops a runtime of its own: subscribes, and tears the framework down at stop()', async () => {
    const master = await FakeHttpMaster.start('m1');
    try {
      const { scheduler, named } = recordingScheduler();
      const driver = new SchedulerDriver({ framework: { user: 'u', name: 'n' }, scheduler, master: master.url, logger: memoryLogger(), reconcileOnSubscribe: false });
      expect(await driver.start()).to.equal('fw-0001');
      expect(driver.pid).to.match(/^scheduler@scheduler-/);
      expect(named('subscribed')).to.have.length(1);
      await driver.stop();
      expect(master.nonSubscribeCalls().map((c) => c.type)).to.deep.equal(['TEARDOWN']);
      expect(driver.state).to.equal('stopped');
    } finally {
      await master.stop();
    }
  });
});
