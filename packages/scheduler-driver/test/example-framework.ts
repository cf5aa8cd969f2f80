import { Resources, SchedulerDriver, TERMINAL_TASK_STATES, commandTask, type SchedulerDriverOptions, type TaskInfo } from '../src/index.js';

/** Runs `copies` of a shell command, each with `resources`, then tears the framework down. */
export interface ExampleOptions extends Pick<SchedulerDriverOptions, 'nats' | 'runtime' | 'master'> {
  copies: number;
  command: string;
  resources: string; // Mesos flag syntax, e.g. 'cpus:0.1;mem:32'
}

/** Resolves once every copy has ended: how many finished (exit 0) and how many did not. */
export async function runExample(options: ExampleOptions): Promise<{ finished: number; failed: number }> {
  const { copies, command, resources, ...connection } = options;
  const need = Resources.parse(resources);
  let launched = 0;
  let finished = 0;
  let failed = 0;
  let done!: () => void;
  let abort!: (err: Error) => void;
  const allEnded = new Promise<void>((resolve, reject) => { done = resolve; abort = reject; });

  const driver: SchedulerDriver = new SchedulerDriver({
    ...connection,
    framework: { user: '', name: 'example' }, // '' = the user running this scheduler
    scheduler: {
      offers(offers) {
        for (const offer of offers) {
          // Pack as many copies into the offer as fit; what is left goes back to the master.
          let left = Resources.of(offer.resources).withoutAllocation();
          const tasks: TaskInfo[] = [];
          while (launched < copies && left.contains(need)) {
            tasks.push(commandTask({ id: `example-${launched++}`, command, resources: need, offer }));
            left = left.subtract(need);
          }
          if (tasks.length > 0) driver.launch([offer.id], tasks);
          else driver.decline([offer.id], { refuse_seconds: 60 }); // not needed: keep it away a minute
        }
      },
      update(status) { // the driver acknowledges it when this returns
        if (!TERMINAL_TASK_STATES.has(status.state)) return;
        if (status.state === 'TASK_FINISHED') finished += 1;
        else failed += 1;
        if (finished + failed === copies) done();
      },
      error: (message) => abort(new Error(message)),
    },
  });

  try {
    await driver.start();
    await allEnded;
    return { finished, failed };
  } finally {
    await driver.stop(); // tears the framework down (stop({ failover: true }) would leave it to a successor)
  }
}
