import type { UPID } from './upid.js';

/** An `ask` got no reply in time. */
export class AskTimeoutError extends Error {
  override readonly name = 'AskTimeoutError';
  constructor(readonly to: UPID, readonly type: string, readonly timeoutMs: number) {
    super(`no reply to ${type} from ${to} within ${timeoutMs} ms`);
  }
}

/** A message could not reach its target: no such process, node, or the link went down. */
export class UndeliverableError extends Error {
  override readonly name = 'UndeliverableError';
  constructor(readonly to: UPID, readonly type: string, readonly reason: string) {
    super(`${type} to ${to} was not delivered: ${reason}`);
  }
}

/** An `ask` was answered with another message type than the one expected. */
export class UnexpectedReplyError extends Error {
  override readonly name = 'UnexpectedReplyError';
  constructor(readonly expected: string, readonly got: string) {
    super(`expected a ${expected} reply, got ${got}`);
  }
}
