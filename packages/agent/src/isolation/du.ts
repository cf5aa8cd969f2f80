import { execFile } from 'node:child_process';

/** Measures the disk a directory tree takes, in bytes; rejects naming why it could not. */
export type DiskMeasure = (directory: string, signal: AbortSignal) => Promise<number>;

/**
 * The first number of `du -k -s` output (`20484\t/path`), in bytes; undefined for anything else.
 * Kibibyte blocks, as Mesos asks for, so the figure does not depend on du's default block size.
 */
export function parseDuOutput(stdout: string): number | undefined {
  const match = /^(\d+)\s/.exec(stdout);
  return match === null ? undefined : Number(match[1]) * 1024;
}

/**
 * `du -k -s <directory>`: the blocks allocated under it (sparse files count what they hold).
 * A file that vanishes mid-walk makes du exit 1 with a total still printed: the total is taken.
 */
export const duMeasure: DiskMeasure = (directory, signal) => new Promise((resolve, reject) => {
  execFile('du', ['-k', '-s', directory], { signal, encoding: 'utf8', maxBuffer: 64 * 1024 }, (error, stdout, stderr) => {
    const bytes = parseDuOutput(stdout);
    if (bytes !== undefined && (error === null || typeof error.code === 'number')) resolve(bytes);
    else reject(new Error(`du -k -s ${directory} failed: ${stderr.trim() || error?.message || 'no total printed'}`));
  });
});
