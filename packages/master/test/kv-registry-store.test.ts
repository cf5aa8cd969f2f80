// The registry in JetStream KV on a real nats-server: what one leader stores, the next loads
// (through one watcher of the bucket), deletions and marks included, and a bad entry stops it.
import { expect } from 'chai';
import type { NatsConnection } from '@nats-io/transport-node';
import { Resources } from '@tessera/protocol';
import { connectKv, createBucket } from '@tessera/leader';
import { startNatsServer, type NatsServer } from '@tessera/test-harness';
import { KvRegistryStore, RegistryCorruptError } from '../src/index.js';

const RESOURCES = Resources.parse('cpus:4;mem:4096').toJSON();
const agent = (id: string) => ({ info: { hostname: id, resources: RESOURCES, id: { value: id } }, pid: `agent@${id}` });

describe('KvRegistryStore (real nats-server)', function () {
  this.timeout(30_000);
  let server: NatsServer;
  let writer: NatsConnection;
  let reader: NatsConnection;

  before(async () => {
    server = await startNatsServer({ jetstream: true });
    writer = await connectKv(server.url);
    reader = await connectKv(server.url);
  });

  after(async () => {
    await writer?.drain();
    await reader?.drain();
    await server?.stop();
  });

  it('loads an empty bucket as an empty registry', async () => {
    const store = new KvRegistryStore(await createBucket(reader, 'registry-empty'));
    const loaded = await store.load();
    expect(loaded.agents.size + loaded.unreachable.size + loaded.gone.size + loaded.weights.size + loaded.quotas.size).to.equal(0);
  });

  it('loads what another leader stored: admitted, marked, removed agents and weights', async () => {
    const before = new KvRegistryStore(await createBucket(writer, 'registry-handover'));
    for (let i = 0; i < 300; i += 1) await before.apply({ kind: 'admit', agent: agent(`a${i}`) });
    await before.apply({ kind: 'mark-unreachable', agentId: 'a1', timestamp: 1_000 });
    await before.apply({ kind: 'mark-gone', agentId: 'a2', timestamp: 2_000 });
    await before.apply({ kind: 'remove', agentId: 'a3' });
    await before.apply({ kind: 'weight', role: 'web/front', weight: 2.5 });
    await before.apply({ kind: 'weight', role: 'batch', weight: 3 });
    await before.apply({ kind: 'weight', role: 'batch', weight: undefined });

    const loaded = await new KvRegistryStore(await createBucket(reader, 'registry-handover')).load();
    expect(loaded.agents.size).to.equal(297);
    expect(loaded.agents.get('a0')).to.deep.equal(agent('a0'));
    expect(loaded.agents.has('a1') || loaded.agents.has('a2') || loaded.agents.has('a3')).to.equal(false);
    expect([...loaded.unreachable]).to.deep.equal([['a1', 1_000]]);
    expect([...loaded.gone]).to.deep.equal([['a2', 2_000]]);
    expect([...loaded.weights]).to.deep.equal([['web/front', 2.5]]);
  });

  it('refuses a bucket holding an entry that does not read back', async () => {
    const kv = await createBucket(writer, 'registry-corrupt');
    await new KvRegistryStore(kv).apply({ kind: 'admit', agent: agent('ok') });
    await kv.put('agent.6f6b32', new TextEncoder().encode('{"info":{}}'));
    const error = await new KvRegistryStore(await createBucket(reader, 'registry-corrupt')).load().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RegistryCorruptError);
    expect((error as Error).message).to.include("registry entry 'agent.6f6b32'");
  });

  it('gives a standby that followed the bucket the registry a cold read gives, changes made meanwhile included', async () => {
    const leader = new KvRegistryStore(await createBucket(writer, 'registry-follow'));
    for (let i = 0; i < 200; i += 1) await leader.apply({ kind: 'admit', agent: agent(`a${i}`) });
    const standby = new KvRegistryStore(await createBucket(reader, 'registry-follow'));
    standby.follow();
    for (let i = 200; i < 300; i += 1) await leader.apply({ kind: 'admit', agent: agent(`a${i}`) });
    await leader.apply({ kind: 'mark-unreachable', agentId: 'a1', timestamp: 1_000 });
    await leader.apply({ kind: 'mark-gone', agentId: 'a250', timestamp: 2_000 });
    await leader.apply({ kind: 'remove', agentId: 'a3' });
    await leader.apply({ kind: 'weight', role: 'batch', weight: 3 });
    await leader.apply({ kind: 'weight', role: 'batch', weight: undefined });
    await leader.apply({ kind: 'quota', role: 'web', config: { role: 'web', guarantees: { cpus: { value: 4 } } } });
    const followed = await standby.load();
    expect(standby.lastLoad).to.equal('followed');
    const cold = new KvRegistryStore(await createBucket(reader, 'registry-follow'));
    const read = await cold.load();
    expect(cold.lastLoad).to.equal('read');
    expect(followed).to.deep.equal(read);
    expect(followed.agents.size).to.equal(297);
    expect([...followed.unreachable]).to.deep.equal([['a1', 1_000]]);
    expect([...followed.gone]).to.deep.equal([['a250', 2_000]]);
    expect(followed.weights.size).to.equal(0);
  });

  it('reads the bucket cold when what the standby followed does not read back', async () => {
    const kv = await createBucket(writer, 'registry-follow-corrupt');
    await new KvRegistryStore(kv).apply({ kind: 'admit', agent: agent('ok') });
    const standby = new KvRegistryStore(await createBucket(reader, 'registry-follow-corrupt'));
    standby.follow();
    await kv.put('agent.6f6b32', new TextEncoder().encode('{"info":{}}'));
    const error = await standby.load().catch((e: unknown) => e);
    expect(standby.lastLoad).to.equal('read');
    expect(error).to.be.instanceOf(RegistryCorruptError);
  });
});
