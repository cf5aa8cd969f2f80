// Nothing the harness starts may outlive the test process: not after stopAllNatsServers(), not
// after process.exit(), and not after the test process is SIGKILLed.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveNatsServerCount, startNatsServer, stopAllNatsServers } from '../src/index.js';
import { refuses } from './loopback-support.js';

const harnessEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/index.js');

/** Whether a pid names a live process; a zombie no parent has reaped yet counts as dead. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitUntilDead(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return !isAlive(pid);
}

/**
 * Run a Node script that starts a server, prints its pid and then runs `then`; resolve with the
 * server's pid once printed, and with the child process to act on.
 */
function startInChild(then: string): Promise<{ serverPid: number; child: ReturnType<typeof spawn> }> {
  const script = `
    import { startNatsServer } from ${JSON.stringify(harnessEntry)};
    const server = await startNatsServer();
    console.log(server.pid);
    ${then}
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ serverPid: Number(line), child });
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing a pid: ${out}`)));
  });
}

describe('nats-server harness: cleanup', () => {
  afterEach(() => stopAllNatsServers());

  it('stopAllNatsServers() stops every server still running', async () => {
    const servers = await Promise.all([startNatsServer(), startNatsServer({ jetstream: true })]);
    await servers[0]?.kill('SIGKILL');
    await stopAllNatsServers();
    expect(liveNatsServerCount()).to.equal(0);
    expect(await Promise.all(servers.map((s) => refuses(s.port)))).to.deep.equal([true, true]);
  });

  it('kills its servers when the process calls process.exit()', async () => {
    const { serverPid, child } = await startInChild('process.exit(0);');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await waitUntilDead(serverPid)).to.equal(true);
  });

  it('takes its servers down when the process is SIGKILLed', async () => {
    const { serverPid, child } = await startInChild('setInterval(() => {}, 1000);');
    expect(isAlive(serverPid)).to.equal(true);
    child.kill('SIGKILL');
    expect(await waitUntilDead(serverPid)).to.equal(true);
  });


  it('removes temp dirs left behind by a test process that died', async () => {
    const dead = spawnSync('true').pid;
    const abandoned = mkdtempSync(path.join(os.tmpdir(), 'tessera-nats-'));
    writeFileSync(path.join(abandoned, 'owner.pid'), `${dead}\n`);
    await startNatsServer();
    expect(existsSync(abandoned)).to.equal(false);
  });
});
