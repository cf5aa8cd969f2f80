import { Resources, type Envelope, type MessageType, type Messages, type TaskInfo } from '@tessera/protocol';
import { ManualClock, MemoryNetwork, Process, Random, Runtime, memoryLogger, type UPID } from '@tessera/process';
import { Master, type MasterOptions } from '../src/index.js';

/** A process that records every message it gets of the given types, and can send anything. */
export class Peer extends Process {
  readonly inbox: Envelope[] = [];

  constructor(name: string, private readonly types: MessageType[], private readonly onMessage?: (peer: Peer, message: Envelope) => void) {
    super(name);
  }

  protected initialize(): void {
    for (const type of this.types) {
      this.install(type, (_body, message) => {
        this.inbox.push(message);
        this.onMessage?.(this, message);
      });
    }
  }

  tell<K extends MessageType>(to: UPID, type: K, body: Messages[K]): void {
    this.send(to, type, body);
  }

  answer<K extends MessageType>(message: Envelope, type: K, body: Messages[K]): void {
    this.reply(message, type, body);
  }

  /** Bodies of the messages of `type` received so far. */
  got<K extends MessageType>(type: K): Messages[K][] {
    return this.inbox.filter((m) => m.type === type).map((m) => m.body as Messages[K]);
  }

  /** Scheduler events of one type. */
  events(type: Messages['scheduler.Event']['type']): Messages['scheduler.Event'][] {
    return this.got('scheduler.Event').filter((e) => e.type === type);
  }

  clear(): void {
    this.inbox.length = 0;
  }
}

export interface Cluster {
  clock: ManualClock;
  network: MemoryNetwork;
  master: Master;
  masterRuntime: Runtime;
  runtimes: Runtime[];
  /** Advances the clock in steps of at most `step` ms, settling after each. */
  advance(ms: number, step?: number): Promise<void>;
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMaster(options: MasterOptions = {}): Promise<Cluster> {
  const clock = new ManualClock();
  const network = new MemoryNetwork();
  const runtimes: Runtime[] = [];
  const masterRuntime = await Runtime.create({ transport: network.transport('master'), clock, random: new Random(7), logger: memoryLogger() });
  runtimes.push(masterRuntime);
  const master = masterRuntime.spawn(new Master(options));
  const settle = async () => {
    await clock.settle();
    for (const runtime of runtimes) await runtime.flush();
    await clock.settle();
  };
  await settle();
  return {
    clock, network, master, masterRuntime, runtimes, settle,
    async advance(ms, step = 250) {
      for (let left = ms; left > 0; left -= step) {
        clock.advance(Math.min(step, left));
        await settle();
      }
    },
    async stop() {
      for (const runtime of runtimes) await runtime.stop();
    },
  };
}

/** A node with one peer process on it. */
export async function addPeer(cluster: Cluster, node: string, name: string, types: MessageType[], onMessage?: (peer: Peer, message: Envelope) => void): Promise<Peer> {
  const runtime = await Runtime.create({ transport: cluster.network.transport(node), clock: cluster.clock, random: new Random(node.length), logger: memoryLogger() });
  cluster.runtimes.push(runtime);
  return runtime.spawn(new Peer(name, types, onMessage));
}

const AGENT_TYPES: MessageType[] = [
  'agent.Registered', 'agent.Reregistered', 'agent.Shutdown', 'agent.Ping', 'agent.RunTask', 'agent.RunTaskGroup', 'agent.KillTask',
  'agent.ShutdownExecutor', 'agent.ShutdownFramework', 'agent.StatusUpdateAck', 'agent.FrameworkMessage', 'agent.UpdateFramework',
];

/** A fake agent that answers pings (while `alive`), registered with the master. */
export async function addAgent(cluster: Cluster, node: string, resources = 'cpus:4;mem:4096;disk:10000;ports:[31000-32000]'): Promise<Peer & { id: string; alive: boolean }> {
  const agent = (await addPeer(cluster, node, 'agent', AGENT_TYPES, (peer, message) => {
    if (message.type === 'agent.Ping' && (peer as Peer & { alive: boolean }).alive) peer.answer(message, 'agent.Pong', {});
  })) as Peer & { id: string; alive: boolean };
  agent.alive = true;
  agent.tell(cluster.master.pid, 'agent.Register', { agent_info: { hostname: node, resources: Resources.parse(resources).toJSON() }, version: 'test' });
  await cluster.settle();
  const registered = agent.got('agent.Registered')[0];
  if (registered === undefined) throw new Error(`agent ${node} did not register`);
  agent.id = registered.agent_id.value;
  return agent;
}

/** A fake scheduler, subscribed. */
export async function addScheduler(cluster: Cluster, node: string, framework: Partial<Messages['scheduler.Call']['subscribe'] & object>['framework_info'] = { user: 'test', name: node }): Promise<Peer & { frameworkId: string }> {
  const scheduler = (await addPeer(cluster, node, 'scheduler', ['scheduler.Event'])) as Peer & { frameworkId: string };
  scheduler.tell(cluster.master.pid, 'scheduler.Call', { type: 'SUBSCRIBE', subscribe: { framework_info: framework! } });
  await cluster.settle();
  const subscribed = scheduler.events('SUBSCRIBED')[0];
  if (subscribed === undefined) throw new Error(`scheduler ${node} did not subscribe: ${JSON.stringify(scheduler.inbox.map((m) => m.body))}`);
  scheduler.frameworkId = subscribed.subscribed!.framework_id.value;
  return scheduler;
}

/** A command task using `resources` of an offer (with the offer's allocation info). */
export function task(id: string, agentId: string, resources: string, role = '*', command = 'true'): TaskInfo {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: Resources.parse(resources).withAllocation(role).toJSON(),
    command: { value: command },
  };
}

/** The scheduler accepts `offerId` with one LAUNCH of `tasks`; settles. */
export async function acceptLaunch(
  cluster: Cluster,
  scheduler: Peer & { frameworkId: string },
  offerId: { value: string },
  tasks: TaskInfo[],
  filters?: { refuse_seconds?: number },
): Promise<void> {
  scheduler.tell(cluster.master.pid, 'scheduler.Call', {
    type: 'ACCEPT', framework_id: { value: scheduler.frameworkId },
    accept: { offer_ids: [offerId], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], ...(filters === undefined ? {} : { filters }) },
  });
  await cluster.settle();
}
