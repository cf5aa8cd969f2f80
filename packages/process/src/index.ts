/**
 * @tessera/process: a libprocess-like actor runtime. Processes with addresses (`name@node`),
 * mailboxes and typed handlers; send, ask, link and delay; transports over NATS or in memory;
 * a manual clock, message hooks, and record and replay for tests.
 */
export { SystemClock, type Clock, type Settleable, type Timer } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { Random } from './random.js';
export { flushStderrLogs, memoryLogger, stderrLogger, type LogLevel, type Logger } from './logger.js';
export { Counters, RuntimeMetric } from './metrics.js';
export { AskTimeoutError, UndeliverableError, UnexpectedReplyError } from './errors.js';
export { MessageHooks, type InstalledHook, type Interception, type MessageMatcher } from './hooks.js';
export { Process, type AskOptions, type Handler } from './process.js';
export { Runtime, type ExitReason, type RuntimeOptions } from './runtime.js';
export { isValidName, nodeOf, parseUpid, upid, type UPID } from './upid.js';
export type { NodeLossReason, NodePresence, Transport, TransportEvents } from './transport.js';
export { MemoryNetwork, MemoryTransport } from './memory-transport.js';
export { NatsTransport, type NatsTransportOptions } from './nats-transport.js';
export { FileRecorder, MemoryRecorder, type Direction, type LogRecord, type MessageRecorder } from './recorder.js';
export { ReplayTransport, readMessageLog, replayMessages, type ReplayReport } from './replay.js';
export { Echo } from './echo.js';
