import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { FetchError } from './fetch-uri.js';

/** How an archive is unpacked: tar (any compression tar knows), zip, or a bare gzip file. */
export type ArchiveKind = 'tar' | 'zip' | 'gzip';

/** Mesos's list of archive names (src/launcher/fetcher.cpp), checked in this order. */
const SUFFIXES: [string, ArchiveKind][] = [
  ['.tar', 'tar'], ['.tgz', 'tar'], ['.tar.gz', 'tar'], ['.tbz2', 'tar'], ['.tar.bz2', 'tar'], ['.txz', 'tar'], ['.tar.xz', 'tar'],
  ['.zip', 'zip'], ['.gz', 'gzip'],
];

/** The archive kind a file name says, or undefined for a file that is copied as it is. */
export function archiveKind(name: string): ArchiveKind | undefined {
  return SUFFIXES.find(([suffix]) => name.endsWith(suffix))?.[1];
}

/** Where an extraction program's output goes: the sandbox's stdout and stderr, as Mesos's. */
export interface ExtractOutput {
  stdout: number;
  stderr: number;
}

/**
 * Unpacks `file` into `directory`: `tar -xf` (GNU tar finds the compression itself, using the
 * gzip, bzip2 or xz programs), `unzip -o`, or gunzip in Node for a bare `.gz` (written under its
 * name without `.gz`, as Mesos's gunzip). `name` is the fetched file's name in the sandbox.
 * @throws FetchError with the program and its exit status, or the missing program.
 */
export async function extractArchive(file: string, name: string, kind: ArchiveKind, directory: string, output: ExtractOutput, signal: AbortSignal): Promise<void> {
  if (kind === 'gzip') {
    const target = path.join(directory, path.dirname(name), path.basename(name, '.gz'));
    try {
      await pipeline(createReadStream(file), createGunzip(), createWriteStream(target), { signal });
    } catch (e) {
      throw new FetchError(`failed to gunzip '${file}' to '${target}': ${(e as Error).message}`);
    }
    return;
  }
  // unzip -o: overwrite without asking (nobody answers on stdin); -q: one line per problem only.
  const [program, args] = kind === 'tar' ? ['tar', ['-xf', file, '-C', directory]] as const : ['unzip', ['-o', '-q', file, '-d', directory]] as const;
  await run(program, [...args], output, signal);
}

function run(program: string, args: string[], output: ExtractOutput, signal: AbortSignal): Promise<void> {
  const command = `${program} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', output.stdout, output.stderr], signal });
    child.once('error', (e: NodeJS.ErrnoException) => {
      reject(new FetchError(e.code === 'ENOENT' ? `cannot extract: the '${program}' program is not installed` : `'${command}' failed: ${e.message}`));
    });
    child.once('exit', (code, killedBy) => {
      if (code === 0) resolve();
      else reject(new FetchError(`failed to extract: '${command}' ${code === null ? `was killed by ${killedBy}` : `exited with status ${code}`}`));
    });
  });
}
