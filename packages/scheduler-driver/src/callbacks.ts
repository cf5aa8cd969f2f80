/**
 * Runs one of the framework's callbacks: true when it returned, false when it threw (reported to
 * `failed`, never fatal to the driver), or a promise of that when the callback returned a promise.
 * A callback that returns at once is answered at once, so that whatever the driver does after it
 * (acknowledging an update) comes before anything the callback set in motion.
 */
export function runCallback(name: string, callback: () => unknown, failed: (name: string, err: unknown) => void): boolean | Promise<boolean> {
  let result: unknown;
  try {
    result = callback();
  } catch (err) {
    failed(name, err);
    return false;
  }
  if (typeof (result as PromiseLike<unknown> | undefined)?.then !== 'function') return true;
  return Promise.resolve(result).then(
    () => true,
    (err: unknown) => {
      failed(name, err);
      return false;
    },
  );
}
