// A runtime with a long backlog yields to the event loop every turnBudgetMs, so that timers (a
// leader's lease renewal) and I/O run in the middle of a burst instead of after it.
import { expect } from 'chai';
import { Process } from '../src/process.js';
import { Runtime } from '../src/runtime.js';
import { MemoryNetwork } from '../src/memory-transport.js';
import { ManualClock } from '../src/manual-clock.js';
import { memoryLogger } from '../src/logger.js';
import { Random } from '../src/random.js';

/** Spends `ms` of CPU: a handler as costly as a re-registration burst's. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* spin */ }
}

class Costly extends Process {
  handled = 0;
  protected initialize(): void {
    this.install('demo.Ping', () => {
      busy(2);
      this.handled += 1;
    });
  }
}

async function backlogSeenByATimer(turnBudgetMs: number | undefined): Promise<{ atTimer: number; total: number }> {
  const runtime = await Runtime.create({
    transport: new MemoryNetwork().transport('a'), clock: new ManualClock(), logger: memoryLogger(), random: new Random(1),
    ...(turnBudgetMs === undefined ? {} : { turnBudgetMs }),
  });
  const costly = runtime.spawn(new Costly('costly'));
  const total = 100;
  for (let seq = 0; seq < total; seq += 1) runtime.post(costly.pid, 'demo.Ping', { seq });
  // A real timer due now: it runs at the first turn the runtime gives back to the loop.
  const atTimer = await new Promise<number>((resolve) => setTimeout(() => resolve(costly.handled), 0));
  while (costly.handled < total) await new Promise<void>((resolve) => setImmediate(resolve));
  await runtime.stop();
  return { atTimer, total };
}

describe('the runtime\'s turn budget', () => {
  it('lets a timer run within a budget of a 200 ms backlog, and still serves all of it', async () => {
    const { atTimer, total } = await backlogSeenByATimer(10);
    // 2 ms a message and 10 ms a turn: the timer runs after about 5, far from all 100.
    expect(atTimer).to.be.greaterThan(0);
    expect(atTimer).to.be.lessThan(total / 4);
  });

  it('serves at least one message a turn, however small the budget', async () => {
    const { atTimer } = await backlogSeenByATimer(0);
    expect(atTimer).to.be.within(1, 3);
  });
});
