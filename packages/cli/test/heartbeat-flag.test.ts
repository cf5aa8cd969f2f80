// `--heartbeat-ms` of `tessera master` and `tessera agent`: the node announces the interval it
// beats at (watchers judge it by that), and a bad value is refused before anything starts.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkpointedNode } from '@tessera/agent';
import { eventually, startNatsServer, type NatsServer } from '@tessera/test-harness';

const TESSERA = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

function run(args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [TESSERA, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return { child, exited: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr }))) };
}

describe('--heartbeat-ms (master and agent)', function () {
  this.timeout(30_000);
  let nats: NatsServer;
  let connection: NatsConnection;
  const children: ChildProcess[] = [];

  before(async () => {
    nats = await startNatsServer({ jetstream: true });
    connection = await connect({ servers: nats.url });
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await connection?.close();
    await nats?.stop();
  });

  /** The interval node `node` of cluster `cluster` announces when probed, once it answers. */
  async function announcedInterval(cluster: string, node: string): Promise<number | undefined> {
    let interval: number | undefined;
    await eventually(`${node} answers a probe`, async () => {
      const answer = await connection.request(`tessera.${cluster}._ping.${node}`, new Uint8Array(0), { timeout: 500 }).catch(() => undefined);
      if (answer === undefined) return false;
      interval = Number(new TextDecoder().decode(answer.data)); // a node's announcement is its interval
      return true;
    }, 20_000, 100);
    return interval;
  }

  it('makes a master beat at the interval given, and says so to whoever probes it', async () => {
    const { child } = run(['master', '--nats', nats.url, '--cluster', 'hb', '--node', 'hbmaster', '--http-port', '0', '--heartbeat-ms', '150']);
    children.push(child);
    expect(await announcedInterval('hb', 'hbmaster')).to.equal(150);
  });

  it('makes an agent beat at the interval given', async () => {
    const workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-hb-'));
    try {
      const { child } = run(['agent', '--nats', nats.url, '--cluster', 'hb', '--master', 'master@hbmaster', '--work-dir', workDir,
        '--http-port', '0', '--resources', 'cpus:1;mem:128', '--heartbeat-ms', '250']);
      children.push(child);
      let node: string | undefined;
      await eventually('the agent checkpoints its node', () => (node = checkpointedNode(workDir)) !== undefined, 20_000, 100);
      expect(await announcedInterval('hb', node!)).to.equal(250);
    } finally {
      children.at(-1)?.kill('SIGKILL');
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  for (const command of ['master', 'agent']) {
    it(`refuses a heartbeat of 0 ms for tessera ${command}, naming the flag`, async () => {
      const { exited } = run([command, '--nats', nats.url, '--heartbeat-ms', '0']);
      const { code, stderr } = await exited;
      expect(code).to.not.equal(0);
      expect(stderr).to.include('--heartbeat-ms');
    });
  }
});
