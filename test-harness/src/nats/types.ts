/**
 * Public shapes of the nats-server harness. Kept apart from the code that spawns processes so a
 * reader sees the whole contract on one page (the nats.js layout: types in `types.ts`).
 */

/** Signals that end a nats-server; `kill()` waits for the exit, so reload signals do not belong here. */
export type NatsKillSignal = 'SIGKILL' | 'SIGTERM' | 'SIGINT' | 'SIGQUIT';

/** Options for {@link startNatsServer}. Every field is optional; the defaults suit a unit test. */
export interface NatsServerOptions {
  /** Enable JetStream, capped at 256 MB memory and 1 GB file storage. Default false. */
  jetstream?: boolean;
  /**
   * JetStream store directory. Default: a directory inside the server's temp dir, removed on stop.
   * A directory given here is the caller's and is never removed.
   */
  storeDir?: string;
  /** `server_name`. Default `nats-<port>`. */
  name?: string;
  /** Write the server log to this file instead of the captured stderr. The caller owns the file. */
  logFile?: string;
  /**
   * Fixed client port. Default: a free loopback port. With a fixed port there is no retry when the
   * port turns out to be taken: the start fails with the server's own error.
   */
  port?: number;
  /** Fixed monitoring port; same rules as {@link NatsServerOptions.port}. */
  monitorPort?: number;
}

/** Options for {@link startNatsCluster}. */
export interface NatsClusterOptions {
  /** Number of servers. Default 3 (the size a JetStream R3 stream needs); at least 2. */
  size?: number;
  /** Enable clustered JetStream. Default true, as in the project's cluster recipe. */
  jetstream?: boolean;
}

/** One nats-server process started by the harness, bound to 127.0.0.1. */
export interface NatsServer {
  /** Client URL, `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Client port; the same across {@link NatsServer.restart}. */
  readonly port: number;
  /** HTTP monitoring port (`/healthz`, `/varz`, `/jsz`, `/routez`). */
  readonly monitorPort: number;
  /** Pid of the current process; a restart gives a new one. */
  readonly pid: number;
  /** `server_name`, unique within a cluster. */
  readonly name: string;
  /** Whether the process is alive right now (false after kill() until restart()). */
  readonly running: boolean;
  /**
   * SIGTERM, then SIGKILL after a grace period; resolves once the process exited and its temp dir
   * is gone. Final and idempotent: later calls return the same promise. Interrupts a start or
   * restart still waiting for readiness.
   */
  stop(): Promise<void>;
  /**
   * Send a signal (default SIGKILL) and resolve once the process exited. Keeps ports and store
   * dir, so {@link NatsServer.restart} can bring it back. A no-op when it is already down.
   */
  kill(signal?: NatsKillSignal): Promise<void>;
  /**
   * Stop the process if it runs (gracefully), start it again on the same ports with the same
   * config and store dir, and resolve when it is ready. Rejects after {@link NatsServer.stop}.
   */
  restart(): Promise<void>;
}

/** A cluster of nats-servers on loopback, routed to each other. */
export interface NatsCluster {
  /** The members, in config order. */
  readonly servers: readonly NatsServer[];
  /** Client URLs of all members, in the same order (give them all to a client). */
  readonly urls: readonly string[];
  /** Stop every member; resolves when all exited. Idempotent. */
  stop(): Promise<void>;
}
