import { expect } from 'chai';
import { DEFAULT_MASTER_FLAGS, MasterState, frameworkLifecycle } from '@tessera/master';
import type { Messages } from '@tessera/protocol';
import { callProblem } from '../src/master-http/scheduler-api/call-validation.js';
import { checkCaller } from '../src/master-http/scheduler-api/caller-check.js';
import { callFormat, streamMedia } from '../src/master-http/scheduler-api/media.js';

type Call = Messages['scheduler.Call'];
const info = { user: 'u', name: 'n', roles: ['web'] };

describe('scheduler API checks (pure)', () => {
  describe('callFormat: the Content-Type of a call', () => {
    it('is JSON or protobuf, parameters and case ignored', () => {
      expect(callFormat('application/json')).to.equal('json');
      expect(callFormat('Application/JSON; charset=utf-8')).to.equal('json');
      expect(callFormat('application/x-protobuf')).to.equal('protobuf');
    });

    it('is a 400 when missing and a 415 for any other type', () => {
      expect(callFormat(undefined)).to.deep.equal({ status: 400, message: "Expecting 'Content-Type' to be present" });
      expect(callFormat(' ')).to.include({ status: 400 });
      expect(callFormat('text/plain')).to.include({ status: 415 });
    });
  });

  describe('streamMedia: how a SUBSCRIBE stream is encoded', () => {
    it('is JSON for no Accept, */*, or one allowing both (JSON preferred, as Mesos)', () => {
      for (const accept of [undefined, '*/*', 'application/*', 'application/x-protobuf, application/json']) {
        expect(streamMedia(accept, undefined), String(accept)).to.deep.equal({ format: 'json', headers: { 'Content-Type': 'application/json' } });
      }
    });

    it('is protobuf when Accept allows only protobuf', () => {
      expect(streamMedia('application/x-protobuf', undefined)).to.deep.equal({ format: 'protobuf', headers: { 'Content-Type': 'application/x-protobuf' } });
    });

    it('is application/recordio with Message-Content-Type when Accept names recordio', () => {
      expect(streamMedia('application/recordio', 'application/x-protobuf')).to.deep.equal({
        format: 'protobuf', headers: { 'Content-Type': 'application/recordio', 'Message-Content-Type': 'application/x-protobuf' },
      });
      expect(streamMedia('application/recordio', undefined)).to.include({ format: 'json' });
      // q=0 refuses recordio: the plain form is answered.
      expect(streamMedia('application/recordio;q=0, application/json', undefined)).to.deep.include({ headers: { 'Content-Type': 'application/json' } });
    });

    it('is a 406 when nothing offered is acceptable', () => {
      expect(streamMedia('text/html', undefined)).to.include({ status: 406 });
      expect(streamMedia('application/recordio', 'text/html')).to.include({ status: 406 });
      // The operator API offers JSON only.
      expect(streamMedia('application/x-protobuf', undefined, ['json'])).to.deep.equal({ status: 406, message: "Expecting 'Accept' to allow 'application/json'" });
    });
  });

  describe('callProblem: Mesos\'s validation of a well-formed call', () => {
    const cases: [string, Call, string | undefined][] = [
      ['a new framework\'s SUBSCRIBE', { type: 'SUBSCRIBE', subscribe: { framework_info: info } }, undefined],
      ['a failover SUBSCRIBE naming its id twice', { type: 'SUBSCRIBE', framework_id: { value: 'f' }, subscribe: { framework_info: { ...info, id: { value: 'f' } } } }, undefined],
      ['a SUBSCRIBE with framework_id only', { type: 'SUBSCRIBE', framework_id: { value: 'f' }, subscribe: { framework_info: info } }, "'framework_id' differs from 'subscribe.framework_info.id'"],
      ['a SUBSCRIBE without subscribe', { type: 'SUBSCRIBE' }, "Expecting 'subscribe' to be present"],
      ['TEARDOWN, which has no payload', { type: 'TEARDOWN', framework_id: { value: 'f' } }, undefined],
      ['REVIVE without framework_id', { type: 'REVIVE' }, "Expecting 'framework_id' to be present"],
      ['KILL without kill', { type: 'KILL', framework_id: { value: 'f' } }, "Expecting 'kill' to be present"],
      ['UPDATE_FRAMEWORK for another id', { type: 'UPDATE_FRAMEWORK', framework_id: { value: 'f' }, update_framework: { framework_info: { ...info, id: { value: 'g' } } } }, "'framework_id' differs from 'update_framework.framework_info.id'"],
    ];
    for (const [what, call, problem] of cases) {
      it(`${what}: ${problem ?? 'valid'}`, () => expect(callProblem(call)).to.equal(problem));
    }
  });

  describe('checkCaller: is the call from the framework\'s current HTTP stream', () => {
    const streams = new Map([['stream-pid@master', 'stream-1']]);
    const streamIdAt = (pid: string) => streams.get(pid);
    const revive = (id: string): Call => ({ type: 'REVIVE', framework_id: { value: id } });
    let state: MasterState;

    beforeEach(() => {
      state = new MasterState(DEFAULT_MASTER_FLAGS);
      state.addFramework({ ...info, id: { value: 'over-http' }, principal: 'p' }, 'stream-pid@master', 0);
      state.addFramework({ ...info, id: { value: 'over-nats' } }, 'scheduler@node', 0);
      const gone = state.addFramework({ ...info, id: { value: 'gone' } }, undefined, 0);
      gone.lifecycle = frameworkLifecycle.must(gone.lifecycle, 'DISCONNECTED');
    });

    it('passes the framework\'s own stream, answering the pid to send from', () => {
      expect(checkCaller(state, revive('over-http'), 'stream-1', streamIdAt)).to.deep.equal({ ok: true, pid: 'stream-pid@master' });
    });

    it('refuses in Mesos\'s order and words', () => {
      expect(checkCaller(state, revive('unknown'), 'stream-1', streamIdAt)).to.deep.equal({ ok: false, status: 400, message: 'Framework cannot be found' });
      expect(checkCaller(state, revive('gone'), 'stream-1', streamIdAt)).to.deep.equal({ ok: false, status: 403, message: 'Framework is not subscribed' });
      expect(checkCaller(state, revive('over-nats'), 'stream-1', streamIdAt)).to.deep.equal({ ok: false, status: 403, message: 'Framework is not connected via HTTP' });
      expect(checkCaller(state, revive('over-http'), undefined, streamIdAt)).to.include({ status: 400, message: "All non-subscribe calls should include the 'Mesos-Stream-Id' header" });
      expect(checkCaller(state, revive('over-http'), 'stream-0', streamIdAt)).to.include({ status: 400 });
    });

    it('refuses an UPDATE_FRAMEWORK the master would refuse, and passes a good one', () => {
      const update = (changes: object): Call => ({ type: 'UPDATE_FRAMEWORK', framework_id: { value: 'over-http' }, update_framework: { framework_info: { ...info, principal: 'p', id: { value: 'over-http' }, ...changes } } });
      expect(checkCaller(state, update({ roles: ['-web'] }), 'stream-1', streamIdAt)).to.include({ ok: false, status: 400 });
      expect(checkCaller(state, update({ principal: 'q' }), 'stream-1', streamIdAt)).to.include({ ok: false, status: 400 });
      expect(checkCaller(state, update({ name: 'renamed' }), 'stream-1', streamIdAt)).to.deep.equal({ ok: true, pid: 'stream-pid@master' });
    });
  });
});
