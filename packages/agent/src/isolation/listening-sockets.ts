import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/** The TCP state LISTEN in /proc/net/tcp's `st` column (include/net/tcp_states.h). */
const TCP_LISTEN = '0A';

/**
 * The listening sockets of a /proc/net/tcp or tcp6 table, socket inode to local port. Lines are
 * `sl local_address rem_address st ... uid timeout inode`, addresses as `HEXIP:HEXPORT`.
 */
export function parseListeningSockets(table: string): Map<number, number> {
  const found = new Map<number, number>();
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== TCP_LISTEN) continue;
    const port = Number.parseInt(fields[1]!.slice(fields[1]!.lastIndexOf(':') + 1), 16);
    const inode = Number(fields[9]);
    // Inode 0: a socket the kernel is tearing down; it belongs to no process any more.
    if (Number.isInteger(port) && Number.isInteger(inode) && inode > 0) found.set(inode, port);
  }
  return found;
}

/**
 * Every TCP socket listening in the agent's network namespace (IPv4 and IPv6), inode to port. A
 * process in another network namespace listens on no port of this host, and is not seen here.
 */
export async function listeningSockets(procRoot = '/proc'): Promise<Map<number, number>> {
  const all = new Map<number, number>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = await readFile(path.join(procRoot, 'net', table), 'utf8');
    } catch {
      continue; // no IPv6 in this kernel
    }
    for (const [inode, port] of parseListeningSockets(text)) all.set(inode, port);
  }
  return all;
}

/** The socket inode a /proc/<pid>/fd link points at (`socket:[12345]`), or undefined for any other file. */
export function socketInode(target: string): number | undefined {
  const match = /^socket:\[(\d+)\]$/.exec(target);
  return match === null ? undefined : Number(match[1]);
}

/** The inodes of the sockets a process holds open; none when it is gone or hidden. */
export async function processSocketInodes(pid: number, procRoot = '/proc'): Promise<number[]> {
  const dir = path.join(procRoot, String(pid), 'fd');
  let fds: string[];
  try {
    fds = await readdir(dir);
  } catch {
    return [];
  }
  const targets = await Promise.all(fds.map((fd) => readlink(path.join(dir, fd)).catch(() => '')));
  return targets.map(socketInode).filter((inode): inode is number => inode !== undefined);
}

/** The ports `pids` listen on, from a table of listening sockets. */
export async function listeningPorts(pids: readonly number[], listening: ReadonlyMap<number, number>, procRoot = '/proc'): Promise<Set<number>> {
  const ports = new Set<number>();
  if (listening.size === 0) return ports;
  for (const pid of pids) {
    for (const inode of await processSocketInodes(pid, procRoot)) {
      const port = listening.get(inode);
      if (port !== undefined) ports.add(port);
    }
  }
  return ports;
}
