import { MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { CommandExecutor, type CommandExecutorOptions } from '../src/command-executor.js';
import { FakeAgent } from './fake-agent.js';
import { eventually, RecordingLauncher, Sandboxes } from './support.js';

/**
 * A fake agent and a command executor subscribed to it, on the system clock, running real
 * processes; `cleanUp` (for afterEach) kills every group started and stops the runtimes.
 */
export class ExecutorRigs {
  private readonly sandboxes = new Sandboxes();
  private readonly launchers: RecordingLauncher[] = [];
  private readonly runtimes: Runtime[] = [];

  async start(options: Partial<CommandExecutorOptions> = {}) {
    const network = new MemoryNetwork();
    const logger = memoryLogger();
    const agentRuntime = await Runtime.create({ transport: network.transport('agent-node'), logger, random: new Random(1) });
    const executorRuntime = await Runtime.create({ transport: network.transport('executor-node'), logger, random: new Random(2) });
    this.runtimes.push(agentRuntime, executorRuntime);
    const agent = agentRuntime.spawn(new FakeAgent('agent'));
    const launcher = new RecordingLauncher();
    this.launchers.push(launcher);
    const directory = await this.sandboxes.make();
    const executor = executorRuntime.spawn(new CommandExecutor({ agent: agent.pid, frameworkId: 'f1', executorId: 'e1', directory, launcher, ...options }));
    await eventually('the executor subscribes', () => executor.subscribed);
    return { agent, executor, executorRuntime, launcher, directory, logger };
  }

  async cleanUp(): Promise<void> {
    for (const launcher of this.launchers.splice(0)) launcher.killAll();
    await Promise.all(this.runtimes.splice(0).map((r) => r.stop()));
    await this.sandboxes.removeAll();
  }
}
