// freePort(): loopback ports that are free now and never handed out twice in one process.
import { expect } from 'chai';
import net from 'node:net';
import { freePort } from '../src/index.js';

describe('nats-server harness: freePort', () => {
  it('returns a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const address = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    expect(address.port).to.equal(port);
  });

  it('hands out distinct ports to calls that race', async () => {
    const ports = await Promise.all(Array.from({ length: 30 }, () => freePort()));
    expect(new Set(ports).size).to.equal(30);
  });
});
