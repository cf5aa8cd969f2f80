import { expect } from 'chai';
import { addAgent, startMaster, type Cluster } from './support.js';
import { GatedRegistry, call, callBody, startCall } from './operator-support.js';

describe('master operator: weights and quota', () => {
  let cluster: Cluster;
  let registry: GatedRegistry;
  beforeEach(async () => {
    registry = new GatedRegistry();
    cluster = await startMaster({ registry });
    await addAgent(cluster, 'a1', 'cpus:4;mem:4096');
  });
  afterEach(async () => { await cluster.stop(); });

  it('UPDATE_WEIGHTS stores the weights, then answers, and GET_WEIGHTS reports them', async () => {
    const answer = await call(cluster, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'eng', weight: 2.5 }] } });
    expect(answer).to.deep.equal({ status: 200, body: {} });
    expect(registry.inner.registry.weights.get('eng')).to.equal(2.5);
    expect((await callBody(cluster, { type: 'GET_WEIGHTS' }))['get_weights']).to.deep.equal({ weight_infos: [{ role: 'eng', weight: 2.5 }] });
  });

  it('UPDATE_WEIGHTS answers only once the registry has stored the weight', async () => {
    registry.gated = true;
    const pending = await startCall(cluster, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'eng', weight: 2 }] } });
    expect(pending.answer).to.equal(undefined);
    expect(cluster.master.state.weights.has('eng')).to.equal(false);
    registry.release();
    await cluster.settle();
    expect(pending.answer).to.deep.equal({ status: 200, body: {} });
    expect(cluster.master.state.weights.get('eng')).to.equal(2);
  });

  it('UPDATE_WEIGHTS refuses a weight that is not positive and changes nothing, not even the valid entries', async () => {
    const answer = await call(cluster, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'ok', weight: 1 }, { role: 'eng', weight: -1 }] } });
    expect(answer).to.deep.equal({ status: 400, error: "UPDATE_WEIGHTS: the weight of role 'eng' must be a positive number, got -1" });
    expect(registry.inner.registry.weights.size).to.equal(0);
    expect(cluster.master.state.weights.size).to.equal(0);
  });

  it('UPDATE_WEIGHTS refuses an invalid role name, naming it', async () => {
    const answer = await call(cluster, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'a/../b', weight: 1 }] } });
    expect(answer.status).to.equal(400);
    expect(answer).to.have.property('error').that.matches(/a\/\.\.\/b/);
  });

  it('UPDATE_QUOTA stores a role\'s guarantees and limits; GET_QUOTA and /roles report them', async () => {
    const config = { role: 'eng', guarantees: { cpus: { value: 1 } }, limits: { cpus: { value: 2 } } };
    expect(await call(cluster, { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [config] } })).to.deep.equal({ status: 200, body: {} });
    expect(registry.inner.registry.quotas.get('eng')).to.deep.equal(config);
    expect((await callBody(cluster, { type: 'GET_QUOTA' }))['get_quota']).to.deep.equal({ status: { configs: [config] } });
  });

  it('UPDATE_QUOTA with empty guarantees and limits removes the quota', async () => {
    await call(cluster, { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'eng', guarantees: { cpus: { value: 1 } } }] } });
    await call(cluster, { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'eng' }] } });
    expect(registry.inner.registry.quotas.has('eng')).to.equal(false);
    expect(cluster.master.state.quotas.has('eng')).to.equal(false);
  });

  it('UPDATE_QUOTA refuses a guarantee above its limit and changes nothing', async () => {
    const answer = await call(cluster, { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'eng', guarantees: { cpus: { value: 3 } }, limits: { cpus: { value: 2 } } }] } });
    expect(answer).to.deep.equal({ status: 400, error: "UPDATE_QUOTA: role 'eng': the guarantee of cpus (3) is above its limit (2)" });
    expect(registry.inner.registry.quotas.size).to.equal(0);
  });

  it('UPDATE_QUOTA refuses guarantees beyond the cluster\'s capacity unless forced', async () => {
    const configs = [{ role: 'eng', guarantees: { cpus: { value: 5 } } }];
    const refused = await call(cluster, { type: 'UPDATE_QUOTA', update_quota: { quota_configs: configs } });
    expect(refused.status).to.equal(400);
    expect(refused).to.have.property('error').that.matches(/capacity \(4\)/);
    expect(await call(cluster, { type: 'UPDATE_QUOTA', update_quota: { force: true, quota_configs: configs } })).to.deep.equal({ status: 200, body: {} });
  });

  it('UPDATE_QUOTA refuses a resource that cannot have quota', async () => {
    const answer = await call(cluster, { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'eng', guarantees: { ports: { value: 3 } } }] } });
    expect(answer).to.have.property('error').that.matches(/'ports'/);
  });

  it('REMOVE_QUOTA of a role without quota is refused', async () => {
    expect(await call(cluster, { type: 'REMOVE_QUOTA', remove_quota: { role: 'eng' } })).to.deep.equal({ status: 400, error: "REMOVE_QUOTA: role 'eng' has no quota" });
  });

  it('a master recovering the registry takes its weights and quotas', async () => {
    await call(cluster, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'eng', weight: 3 }] } });
    await call(cluster, { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'eng', guarantees: { cpus: { value: 1 } } }] } });
    const successor = await startMaster({ registry: registry.inner, recovered: await registry.inner.load() });
    try {
      expect(successor.master.state.weights.get('eng')).to.equal(3);
      expect(successor.master.state.quotas.get('eng')?.guarantees).to.deep.equal({ cpus: { value: 1 } });
    } finally {
      await successor.stop();
    }
  });
});
