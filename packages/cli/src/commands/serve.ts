import type { Logger } from '@tessera/process';

/**
 * Keeps a long-lived service up until SIGTERM or SIGINT, then stops it cleanly (once; a second
 * signal exits at once) and exits 0.
 */
export function serveUntilSignalled(logger: Logger, stop: () => Promise<void>): Promise<never> {
  return new Promise<never>(() => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      logger.log('info', 'shutting down', { signal });
      stop().then(
        () => process.exit(0),
        (err: Error) => {
          logger.log('error', 'shutdown failed', { error: err.message });
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
