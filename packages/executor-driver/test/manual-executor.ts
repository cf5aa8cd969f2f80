import { ManualClock, MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { CommandExecutor, type CommandExecutorOptions } from '../src/command-executor.js';
import type { TaskLauncher } from '../src/task-launcher.js';
import { FakeAgent } from './fake-agent.js';
import { FakeLauncher } from './support.js';

/** What a manual-clock executor test may set: the executor's options, its launcher, the framework's capabilities. */
export type ManualExecutorOptions<L extends TaskLauncher> = Partial<Omit<CommandExecutorOptions, 'launcher'>> & { launcher?: L; capabilities?: string[] };

/**
 * A command executor in /sandbox on a manual clock, subscribed to a FakeAgent, its tasks fakes
 * the test ends (a FakeLauncher unless given another). `capabilities` are the framework's
 * (default: FakeAgent's, TASK_KILLING_STATE).
 */
export async function manualExecutor<L extends TaskLauncher = FakeLauncher>(options: ManualExecutorOptions<L> = {}) {
  const { launcher = new FakeLauncher() as TaskLauncher as L, capabilities, ...rest } = options;
  const clock = new ManualClock();
  const network = new MemoryNetwork();
  const logger = memoryLogger();
  const agentRuntime = await Runtime.create({ transport: network.transport('agent-node'), clock, logger, random: new Random(1) });
  const executorRuntime = await Runtime.create({ transport: network.transport('executor-node'), clock, logger, random: new Random(2) });
  const agent = agentRuntime.spawn(new FakeAgent('agent'));
  if (capabilities !== undefined) agent.frameworkCapabilities = capabilities;
  const executor = executorRuntime.spawn(new CommandExecutor({ agent: agent.pid, frameworkId: 'f1', executorId: 'e1', directory: '/sandbox', launcher, ...rest }));
  await clock.settle();
  const after = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await clock.settle();
  };
  return { clock, agent, executor, executorRuntime, launcher, after };
}
