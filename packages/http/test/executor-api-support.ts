import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, InProcessHostLauncher, checkpointDirectory } from '@tessera/agent';
import { ExecutorHost } from '@tessera/executor-driver';
import { Random, Runtime, memoryLogger, type MemoryNetwork } from '@tessera/process';
import { Resources, TERMINAL_TASK_STATES, decodeExecutorEvent, encodeExecutorCall, type ExecutorInfo, type Messages, type TaskState, type TaskStatus } from '@tessera/protocol';
import { SchedulerDriver, type FailureInfo } from '@tessera/scheduler-driver';
import { eventually } from '@tessera/test-harness';
import { localEndpoint, startAgentHttp, type ListeningServer } from '../src/index.js';
import { EventStream, JSON_CODEC, type ClientCodec, type RecordReader } from './scheduler-api-client.js';

/** The custom executor written only against Mesos's executor HTTP API (plain Node, fetch). */
export const MESOS_HTTP_EXECUTOR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/mesos-http-executor.mjs');

export interface ExecutorAgentOptions {
  /** The agent's node on the network (unique in the cluster). */
  node: string;
  /** Checkpoint, so that a restart recovers the executors. */
  checkpoint?: boolean;
  /** Between HEARTBEAT events on executor streams. */
  heartbeatMs?: number;
  executorReregistrationTimeoutMs?: number;
}

/**
 * An agent with its HTTP server on 127.0.0.1, joining a cluster from `startHttpCluster` on its
 * network, with MESOS_AGENT_ENDPOINT given to its custom executors. `restart` stops it as a crash
 * would (its executors keep running) and starts it again from its checkpoint, on the same node
 * and port, as an agent process restarted by its supervisor.
 */
export class ExecutorAgent {
  agent!: Agent;
  runtime!: Runtime;
  http!: ListeningServer;
  readonly workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-executor-api-'));

  private constructor(private readonly network: MemoryNetwork, private readonly options: ExecutorAgentOptions) {}

  static async start(network: MemoryNetwork, options: ExecutorAgentOptions): Promise<ExecutorAgent> {
    const started = new ExecutorAgent(network, options);
    await started.boot(0);
    return started;
  }

  get url(): string {
    return `${this.http.url}/api/v1/executor`;
  }

  async restart(): Promise<void> {
    const port = this.http.port;
    await this.agent.stop();
    await this.http.close();
    await this.runtime.stop();
    await this.boot(port);
  }

  async stop(): Promise<void> {
    await this.agent.stop({ shutdownExecutors: true });
    await this.http.close();
    await this.runtime.stop();
    rmSync(this.workDir, { recursive: true, force: true });
  }

  private async boot(port: number): Promise<void> {
    const { node } = this.options;
    const runtime = await Runtime.create({ transport: this.network.transport(node), logger: memoryLogger(), random: Random.fromEntropy() });
    let agent: Agent | undefined;
    const http = await startAgentHttp({
      runtime, agent: () => agent, logger: runtime.logger, host: '127.0.0.1', port,
      ...(this.options.heartbeatMs === undefined ? {} : { executorHeartbeatMs: this.options.heartbeatMs }),
    });
    agent = runtime.spawn(new Agent({
      workDir: this.workDir,
      hostLauncher: new InProcessHostLauncher(runtime, ({ onIdle }) => new ExecutorHost({ runtime, onIdle })),
      hostname: '127.0.0.1',
      port: http.port,
      httpEndpoint: localEndpoint(http),
      resources: 'cpus:4;mem:1024;disk:1024',
      registrationBackoffFactorMs: 10,
      executorShutdownGracePeriodMs: 2_000,
      ...(this.options.checkpoint === true ? { checkpointDir: checkpointDirectory(this.workDir, node) } : {}),
      ...(this.options.executorReregistrationTimeoutMs === undefined ? {} : { executorReregistrationTimeoutMs: this.options.executorReregistrationTimeoutMs }),
    }));
    this.agent = agent;
    this.runtime = runtime;
    this.http = http;
    const booted = agent;
    await eventually(`agent ${node} registers`, () => booted.id !== undefined);
  }
}

/** The ExecutorInfo of a custom executor that runs `command` (default: the Mesos HTTP executor). */
export function customExecutor(executorId: string, command = `'${process.execPath}' '${MESOS_HTTP_EXECUTOR}'`): ExecutorInfo {
  return { executor_id: { value: executorId }, type: 'CUSTOM', name: executorId, command: { value: command, shell: true } };
}

/**
 * A framework (the NATS scheduler driver) that launches tasks with custom executors on one
 * agent only, and records every update, executor message and failure it gets.
 */
export class ExecutorFramework {
  readonly updates: TaskStatus[] = [];
  readonly messages: { executorId: string; data: string }[] = [];
  readonly failures: FailureInfo[] = [];
  readonly driver: SchedulerDriver;
  frameworkId = '';
  private readonly queue: { id: string; executor: ExecutorInfo }[] = [];
  private hold: { match: (status: TaskStatus) => boolean; released: Promise<void> } | undefined;

  constructor(runtime: Runtime, private readonly onAgent: () => string | undefined, options: { checkpoint?: boolean } = {}) {
    this.driver = new SchedulerDriver({
      framework: { user: os.userInfo().username, name: 'executor-api-test', roles: ['*'], failover_timeout: 0, checkpoint: options.checkpoint ?? false },
      runtime,
      master: 'master@master',
      scheduler: {
        offers: (offers) => {
          for (const offer of offers) {
            if (offer.agent_id.value !== this.onAgent()) {
              this.driver.decline([offer.id.value], { refuse_seconds: 3_600 });
              continue;
            }
            const need = Resources.parse('cpus:0.1;mem:32').withAllocation(offer.allocation_info?.role ?? '*');
            const tasks = this.queue.splice(0).map(({ id, executor }) => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: need.toJSON(), executor }));
            if (tasks.length > 0) this.driver.launch([offer.id.value], tasks, { refuse_seconds: 0.05 });
            else this.driver.decline([offer.id.value], { refuse_seconds: 0.05 });
          }
        },
        update: async (status) => {
          this.updates.push(status);
          // The driver acknowledges when this returns: a held update stays unacknowledged meanwhile.
          if (this.hold?.match(status) === true) await this.hold.released;
        },
        message: (_agentId, executorId, data) => { this.messages.push({ executorId, data: Buffer.from(data, 'base64').toString() }); },
        failure: (info) => { this.failures.push(info); },
      },
    });
  }

  async start(): Promise<this> {
    this.frameworkId = await this.driver.start();
    return this;
  }

  /** Launches task `id` in `executor` at the next offer of the agent. */
  launch(id: string, executor: ExecutorInfo): void {
    this.queue.push({ id, executor });
  }

  /** Holds back the acknowledgement of the first update `match` accepts until `release` is called. */
  holdAcknowledgement(match: (status: TaskStatus) => boolean): () => void {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => { release = resolve; });
    this.hold = { match, released };
    return () => {
      this.hold = undefined;
      release();
    };
  }

  update(taskId: string, state: TaskState): TaskStatus | undefined {
    return this.updates.find((u) => u.task_id.value === taskId && u.state === state);
  }

  latest(taskId: string): TaskState | undefined {
    return this.updates.filter((u) => u.task_id.value === taskId).at(-1)?.state;
  }

  async waitFor(taskId: string, state: TaskState): Promise<TaskStatus> {
    await eventually(`task ${taskId} reaches ${state} (now ${this.latest(taskId)})`, () => this.update(taskId, state) !== undefined, 20_000);
    return this.update(taskId, state)!;
  }

  async waitEnded(taskId: string): Promise<TaskState> {
    await eventually(`task ${taskId} ends`, () => TERMINAL_TASK_STATES.has(this.latest(taskId) ?? 'TASK_STAGING'), 20_000);
    return this.latest(taskId)!;
  }

  async stop(): Promise<void> {
    await this.driver.stop({ failover: false });
  }
}

/** POSTs a body (an object goes as JSON) to the executor endpoint; the answer's status, text and headers. */
export async function postCall(url: string, body: object | string | Uint8Array, headers: Record<string, string> = { 'Content-Type': 'application/json' }, method = 'POST'): Promise<{ status: number; text: string; headers: Headers }> {
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const response = await fetch(url, { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body: payload }) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** The request headers of a body in `format`, answered in the same format. */
export function wireHeaders(format: 'json' | 'protobuf'): Record<string, string> {
  const type = format === 'json' ? 'application/json' : 'application/x-protobuf';
  return { 'Content-Type': type, Accept: type };
}

/** An executor Call of `type` for `executorId` of `frameworkId`, with its payload. */
export function executorCall(frameworkId: string, executorId: string, type: string, payload: object = {}): Record<string, unknown> {
  return { framework_id: { value: frameworkId }, executor_id: { value: executorId }, type, ...payload };
}

/** A status update as an executor writes it: SOURCE_EXECUTOR, a uuid of 16 random bytes (base64). */
export function executorStatus(taskId: string, state: string, fields: object = {}): Record<string, unknown> {
  return { task_id: { value: taskId }, state, source: 'SOURCE_EXECUTOR', uuid: randomBytes(16).toString('base64'), ...fields };
}

/** RecordIO records as bytes (protobuf records are not text), however the chunks cut them. */
function recordBytesReader(): RecordReader {
  let buffered = Buffer.alloc(0);
  return {
    push(chunk) {
      buffered = Buffer.concat([buffered, chunk]);
      const records: Uint8Array[] = [];
      for (;;) {
        const newline = buffered.indexOf(0x0a);
        if (newline < 0) break;
        const end = newline + 1 + Number(buffered.subarray(0, newline).toString());
        if (buffered.length < end) break;
        records.push(buffered.subarray(newline + 1, end));
        buffered = buffered.subarray(end);
      }
      return records;
    },
  };
}

/** An executor client in protobuf, with the protocol's codecs (a Mesos executor's generated classes). */
export const EXECUTOR_PROTOBUF_CODEC: ClientCodec = {
  format: 'protobuf',
  encodeCall: (call) => encodeExecutorCall(call as Messages['executor.Call'], 'protobuf'),
  decodeEvent: (record) => {
    const decoded = decodeExecutorEvent(record, 'protobuf');
    if (!decoded.ok) throw new Error(`an event that does not decode: ${decoded.error}`);
    return decoded.value;
  },
  newReader: recordBytesReader,
};

/** SUBSCRIBEs as `call.executor_id` at the agent's executor endpoint; the caller checks the status. */
export async function subscribeExecutor(url: string, call: object, codec: ClientCodec = JSON_CODEC): Promise<{ response: Response; events: EventStream }> {
  const response = await fetch(url, { method: 'POST', headers: wireHeaders(codec.format), body: codec.encodeCall(call) });
  return { response, events: new EventStream(response, codec) };
}
