import { expect } from 'chai';
import { agentLifecycle } from '@tessera/master';
import { startHttpCluster, type HttpCluster } from './support.js';

describe('master HTTP server with a large /state', function () {
  this.timeout(30_000);
  let cluster: HttpCluster;

  before(async () => {
    cluster = await startHttpCluster();
    // Agents known to the state alone (no actors): enough for a /state of several send pieces.
    await cluster.masterRuntime.dispatch(cluster.master.pid, () => {
      for (let i = 0; i < 2_000; i++) {
        const agent = cluster.master.state.addAgent({ hostname: `listed-${i}.example`, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 8 } }], id: { value: `listed-${i}` } }, `agent@listed-${i}`, '0.1.0', 0);
        agent.lifecycle = agentLifecycle.must(agent.lifecycle, 'ADMITTED');
      }
    });
  });

  after(async () => {
    await cluster.stop();
  });

  it('sends a /state larger than a send piece whole, with its length, equal to the view', async () => {
    const response = await fetch(`${cluster.masterHttp.url}/state`);
    const text = await response.text();
    expect(response.status).to.equal(200);
    expect(Buffer.byteLength(text)).to.be.greaterThan(768 * 1024);
    expect(Number(response.headers.get('content-length'))).to.equal(Buffer.byteLength(text));
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    const view = await cluster.masterRuntime.dispatch(cluster.master.pid, () => cluster.master.operator.view('state', {}));
    const body = JSON.parse(text);
    expect(body.slaves).to.have.length(2_001);
    expect({ ...body, slaves: body.slaves.length }).to.deep.equal({ ...(view as { body: Record<string, unknown> }).body, slaves: 2_001 });
  });
});
