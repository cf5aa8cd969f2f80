import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ScaleCluster } from './cluster.js';

/** What the state run measured. */
export interface StateResult {
  /** One `/state`, fetched alone: the median and the slowest of `rounds`. */
  stateMs: number;
  stateMaxMs: number;
  stateBytes: number;
  /** `/health` while 20 clients fetch `/state` back to back. */
  healthP50Ms: number;
  healthP99Ms: number;
  healthIdleP99Ms: number;
  statePerSecond: number;
}

/** The http package's load client (packages/http/bench): /health probes with and without 20 pollers. */
const LOAD_CLIENT = fileURLToPath(new URL('../bench/state-load-client.js', import.meta.resolve('@tessera/http')));

/**
 * state-10k: `/state` of the leading master alone (`rounds` fetches one after another, body read
 * whole), then `/health` latency while `clients` clients poll `/state` back to back, measured by
 * the http bench's load client in a process of its own.
 */
export async function runState(cluster: ScaleCluster, options: { rounds: number; clients: number; probes: number }): Promise<StateResult> {
  const leader = await cluster.leader();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < options.rounds; i += 1) {
    const began = performance.now();
    const response = await fetch(`${leader.http}/state`);
    const body = await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`/state answered ${response.status}`);
    times.push(performance.now() - began);
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  const figures = await loadClient(leader.http, options.clients, options.probes);
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  return {
    stateMs: round(times[Math.floor(times.length / 2)]!), stateMaxMs: round(times.at(-1)!), stateBytes: bytes,
    healthP50Ms: figures.loadedP50!, healthP99Ms: figures.loadedP99!, healthIdleP99Ms: figures.idleP99!, statePerSecond: figures.statePerSecond!,
  };
}

function loadClient(url: string, clients: number, probes: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD_CLIENT, url, String(clients), String(probes)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`the load client exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>);
    });
  });
}
