import { constants, createReadStream, type ReadStream } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** A refused file request, with the HTTP status it maps to (403 outside a sandbox, 404 missing). */
export class SandboxFileError extends Error {
  override readonly name = 'SandboxFileError';
  constructor(readonly status: 400 | 403 | 404, message: string) {
    super(message);
  }
}

/** An entry of `/files/browse`, Mesos's field names. */
export interface FileEntry {
  path: string;
  size: number;
  /** `drwxr-xr-x` as `ls -l` writes it. */
  mode: string;
  /** Seconds since the epoch. */
  mtime: number;
  nlink: number;
  uid: number;
  gid: number;
}

/** The most `/files/read` answers in one call, as Mesos caps a read. */
export const MAX_READ_BYTES = 1024 * 1024;

/** Virtual paths an operator may use without knowing the work directory. */
const VIRTUAL_PREFIX = '/frameworks/';

/**
 * Resolves an operator's path to a real path inside one of the agent's sandboxes, or refuses:
 * the path must be absolute (or `/frameworks/<fw>/executors/<ex>/runs/<run|latest>/...`), and its
 * real path (every symlink followed, `..` resolved) must lie in a run directory under
 * `sandboxesRoot`. A symlink in a sandbox that points out of it is refused like any other path.
 */
export async function resolveSandboxPath(sandboxesRoot: string | undefined, requested: string): Promise<string> {
  if (requested === '' || requested.includes('\0')) throw new SandboxFileError(400, 'path must be a non-empty path without NUL');
  if (!path.isAbsolute(requested)) throw new SandboxFileError(400, `path '${requested}' is not absolute`);
  if (sandboxesRoot === undefined) throw new SandboxFileError(404, 'this agent has no sandbox yet (not registered)');
  const asked = requested.startsWith(VIRTUAL_PREFIX) ? path.join(sandboxesRoot, requested.slice(VIRTUAL_PREFIX.length)) : path.resolve(requested);
  let root: string;
  try {
    root = await realpath(sandboxesRoot);
  } catch {
    throw new SandboxFileError(404, 'this agent has no sandbox yet');
  }
  // Refuse before touching the file system when even the lexical path is outside.
  if (!isInsideRun(path.relative(root, asked)) && !isInsideRun(path.relative(sandboxesRoot, asked))) {
    throw new SandboxFileError(403, `path '${requested}' is outside every sandbox of this agent`);
  }
  let real: string;
  try {
    real = await realpath(asked);
  } catch {
    throw new SandboxFileError(404, `no such file: '${requested}'`);
  }
  if (!isInsideRun(path.relative(root, real))) throw new SandboxFileError(403, `path '${requested}' leads outside every sandbox of this agent`);
  return real;
}

/** `fw/executors/ex/runs/run[/...]`: a path in (or at) one run directory. */
function isInsideRun(relative: string): boolean {
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return false;
  const parts = relative.split(path.sep);
  return parts.length >= 5 && parts[1] === 'executors' && parts[3] === 'runs' && !parts.includes('..');
}

/** `/files/browse`: the entries of a sandbox directory (or the one entry of a file). */
export async function browse(real: string, shownAs: string): Promise<FileEntry[]> {
  const info = await stat(real);
  if (!info.isDirectory()) return [entry(shownAs, info)];
  const names = (await readdir(real)).sort();
  const entries = await Promise.all(names.map(async (name) => {
    try {
      // lstat: a symlink is listed as one; reading through it is checked on its own.
      return entry(path.posix.join(shownAs, name), await lstat(path.join(real, name)));
    } catch {
      return undefined;
    }
  }));
  return entries.filter((e): e is FileEntry => e !== undefined);
}

/**
 * `/files/read`: up to `length` bytes from `offset` (at most MAX_READ_BYTES); offset -1 asks only
 * for the size (`{data: "", offset: size}`), which is how a tail starts. The data ends on a whole
 * UTF-8 character, so `offset + byteLength(data)` is where the next read starts.
 */
export async function readChunk(real: string, offset: number, length: number | undefined): Promise<{ data: string; offset: number }> {
  const handle = await open(real, constants.O_RDONLY);
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new SandboxFileError(400, 'cannot read a directory');
    if (offset === -1) return { data: '', offset: info.size };
    const want = Math.max(0, Math.min(length ?? MAX_READ_BYTES, MAX_READ_BYTES, info.size - offset));
    const buffer = Buffer.alloc(want);
    const { bytesRead } = want === 0 ? { bytesRead: 0 } : await handle.read(buffer, 0, want, offset);
    return { data: buffer.subarray(0, wholeCharacters(buffer.subarray(0, bytesRead))).toString('utf8'), offset };
  } finally {
    await handle.close();
  }
}

/** `/files/download`: the file's bytes as a stream, with its size. */
export async function downloadStream(real: string): Promise<{ stream: ReadStream; size: number }> {
  const info = await stat(real);
  if (info.isDirectory()) throw new SandboxFileError(400, 'cannot download a directory');
  return { stream: createReadStream(real), size: info.size };
}

/** How many leading bytes of `bytes` end on a character boundary (a cut sequence is left for the next read). */
export function wholeCharacters(bytes: Uint8Array): number {
  const end = bytes.length;
  // Look back at most 3 bytes for the lead byte of the last sequence.
  for (let back = 1; back <= Math.min(3, end); back++) {
    const byte = bytes[end - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? end - back : end;
  }
  return end;
}

function entry(shownAs: string, info: import('node:fs').Stats): FileEntry {
  return { path: shownAs, size: info.size, mode: modeString(info.mode), mtime: Math.floor(info.mtimeMs / 1000), nlink: info.nlink, uid: info.uid, gid: info.gid };
}

/** `ls -l`'s mode column. */
export function modeString(mode: number): string {
  const kind = (mode & constants.S_IFMT) === constants.S_IFDIR ? 'd' : (mode & constants.S_IFMT) === constants.S_IFLNK ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let out = kind;
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}
