import { expect } from 'chai';
import { validateBody } from '../src/index.js';

describe('operator API schemas', () => {
  it('accepts UPDATE_WEIGHTS in the JSON form of master.proto', () => {
    expect(validateBody('operator.Call', { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'a', weight: 2 }] } }).ok).to.equal(true);
  });

  it('accepts UPDATE_QUOTA with quota_configs of scalar maps', () => {
    const call = { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'a', guarantees: { cpus: { value: 1 } }, limits: { cpus: { value: 4 } } }] } };
    expect(validateBody('operator.Call', call).ok).to.equal(true);
  });

  it('accepts a maintenance schedule of windows with machine ids and an unavailability', () => {
    const schedule = { windows: [{ machine_ids: [{ hostname: 'h1' }, { ip: '10.0.0.2' }], unavailability: { start: { nanoseconds: 1e18 }, duration: { nanoseconds: 3.6e12 } } }] };
    expect(validateBody('operator.Call', { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule } }).ok).to.equal(true);
  });

  it('refuses a machine id with neither hostname nor ip', () => {
    expect(validateBody('operator.Call', { type: 'START_MAINTENANCE', start_maintenance: { machines: [{}] } }).ok).to.equal(false);
  });

  it('refuses an unknown call type, naming the field', () => {
    const checked = validateBody('operator.Call', { type: 'GET_EVERYTHING' });
    expect(checked.ok).to.equal(false);
    expect(!checked.ok && checked.error).to.match(/type/);
  });

  it('refuses a field the call does not define', () => {
    expect(validateBody('operator.Call', { type: 'TEARDOWN', teardown: { framework_id: { value: 'f' }, force: true } }).ok).to.equal(false);
  });

  it('accepts a TASK_UPDATED event', () => {
    const event = { type: 'TASK_UPDATED', task_updated: { framework_id: { value: 'f' }, agent_id: { value: 'a' }, state: 'TASK_RUNNING', status: { task_id: { value: 't' }, state: 'TASK_RUNNING' } } };
    expect(validateBody('operator.Event', event).ok).to.equal(true);
  });
});
