/**
 * Why an operator request failed, in one line an operator can act on: the master (or agent)
 * could not be reached, it refused the request (its 4xx body's `error`), or it answered
 * something the CLI cannot read.
 */
export class OperatorError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'OperatorError';
  }
}

/** The one-line reason a fetch threw (refused connection, unknown host, timeout), from its cause. */
export function describeFetchFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'unknown host';
    case 'ECONNRESET': case 'UND_ERR_SOCKET': return 'connection closed by the server';
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'host unreachable';
    default: break;
  }
  if ((err as Error).name === 'TimeoutError') return 'no answer in time';
  return cause?.message ?? (err as Error).message;
}
