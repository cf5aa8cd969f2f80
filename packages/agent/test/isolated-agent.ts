import type { TaskStatus } from '@tessera/protocol';
import { ExecutorHost, type SpawnerLauncher } from '@tessera/executor-driver';
import { InProcessHostLauncher, type AgentOptions, type ExecutorHostLauncher } from '../src/index.js';
import { TEST_ROOT, host } from './isolation-support.js';
import { eventually } from './os-support.js';
import { registeredCluster, type Cluster } from './support.js';

/**
 * A registered agent whose executor host runs in its own runtime and starts tasks as OS processes
 * through `spawner`, in containers under TEST_ROOT with what this host has.
 */
export async function isolatedCluster(spawner: SpawnerLauncher, agent: Partial<AgentOptions>): Promise<Cluster> {
  let launcher: InProcessHostLauncher | undefined;
  const hostLauncher: ExecutorHostLauncher = {
    hostFor: (frameworkId) => launcher!.hostFor(frameworkId),
    forget: (frameworkId, pid) => launcher?.forget(frameworkId, pid),
    shutdown: async () => { await launcher?.shutdown(); },
  };
  const c = await registeredCluster({ agent: { hostLauncher, cgroupsRoot: TEST_ROOT, hostCapabilities: host, ...agent } });
  launcher = new InProcessHostLauncher(c.agentRuntime, ({ onIdle }) => new ExecutorHost({ runtime: c.agentRuntime, onIdle, launcher: spawner }));
  return c;
}

/**
 * Acknowledges every update as the master would (framework F1), until `done` holds, moving the
 * manual clock `stepMs` a round: a destroy waits a few ms at a time for killed processes to go,
 * a budget the manual clock must not spend faster than the processes really die.
 */
export async function ackUntil(c: Cluster, what: string, done: () => boolean | Promise<boolean>, stepMs: number): Promise<void> {
  const acked = new Set<string>();
  await eventually(what, async () => {
    for (const { status } of c.master.got('agent.StatusUpdate')) {
      if (status.uuid === undefined || acked.has(status.uuid)) continue;
      acked.add(status.uuid);
      c.master.tell(c.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: status.task_id, uuid: status.uuid });
    }
    await c.advance(stepMs, stepMs);
    return done();
  }, 20_000);
}

/** Every update the agent sent the master for `taskId`, in order. */
export function updatesOf(c: Cluster, taskId: string): TaskStatus[] {
  return c.master.got('agent.StatusUpdate').map((u) => u.status).filter((s) => s.task_id.value === taskId);
}

/** The task's terminal update, once sent. */
export function terminalOf(c: Cluster, taskId: string): TaskStatus | undefined {
  return updatesOf(c, taskId).find((s) => ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED'].includes(s.state));
}
