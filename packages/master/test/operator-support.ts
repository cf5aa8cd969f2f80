import type { OperatorCall, OperatorEvent } from '@tessera/protocol';
import { MemoryRegistryStore, type MasterView, type OperatorAnswer, type RegistryOperation, type RegistrySnapshot, type RegistryStore } from '../src/index.js';
import type { Cluster } from './support.js';

/** A view, read inside the master's mailbox as the HTTP layer does. */
export function view(cluster: Cluster, name: MasterView, query: Record<string, string> = {}): Promise<OperatorAnswer> {
  return cluster.masterRuntime.dispatch(cluster.master.pid, () => cluster.master.operator.view(name, query));
}

/** The body of a view that must answer 200. */
export async function viewBody(cluster: Cluster, name: MasterView, query: Record<string, string> = {}): Promise<Record<string, any>> {
  const answer = await view(cluster, name, query);
  if (answer.status !== 200) throw new Error(`view ${name} answered ${JSON.stringify(answer)}`);
  return answer.body as Record<string, any>;
}

/** Makes a v1 call inside the mailbox; settles the cluster until it answers (registry writes, allocator asks). */
export async function call(cluster: Cluster, body: OperatorCall): Promise<OperatorAnswer> {
  let answer: OperatorAnswer | undefined;
  await cluster.masterRuntime.dispatch(cluster.master.pid, () => cluster.master.operator.call(body, (a) => { answer = a; }));
  for (let i = 0; i < 20 && answer === undefined; i++) await cluster.settle();
  if (answer === undefined) throw new Error(`${body.type} did not answer`);
  return answer;
}

/** The body of a call that must answer 200. */
export async function callBody(cluster: Cluster, body: OperatorCall): Promise<Record<string, any>> {
  const answer = await call(cluster, body);
  if (answer.status !== 200) throw new Error(`${body.type} answered ${JSON.stringify(answer)}`);
  return answer.body as Record<string, any>;
}

/** Subscribes to the operator's events; the returned list fills as they come. */
export async function subscribe(cluster: Cluster): Promise<{ events: OperatorEvent[]; stop: () => void }> {
  const events: OperatorEvent[] = [];
  const stop = await cluster.masterRuntime.dispatch(cluster.master.pid, () => cluster.master.operator.subscribe((e) => events.push(e)));
  return { events, stop };
}

/** A registry whose writes wait while `gated`, until the test lets them through. */
export class GatedRegistry implements RegistryStore {
  readonly inner = new MemoryRegistryStore();
  gated = false;
  private readonly held: (() => void)[] = [];
  load(): Promise<RegistrySnapshot> {
    return this.inner.load();
  }
  apply(op: RegistryOperation): Promise<void> {
    if (!this.gated) return this.inner.apply(op);
    return new Promise((resolve) => this.held.push(() => void this.inner.apply(op).then(resolve)));
  }
  get waiting(): number {
    return this.held.length;
  }
  release(): void {
    this.gated = false;
    for (const go of this.held.splice(0)) go();
  }
}

/** Starts a call without waiting for its answer; `answer` is set once it comes. */
export async function startCall(cluster: Cluster, body: OperatorCall): Promise<{ answer: OperatorAnswer | undefined }> {
  const result: { answer: OperatorAnswer | undefined } = { answer: undefined };
  await cluster.masterRuntime.dispatch(cluster.master.pid, () => cluster.master.operator.call(body, (a) => { result.answer = a; }));
  await cluster.settle();
  return result;
}
