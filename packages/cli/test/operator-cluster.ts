import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The cluster the operator commands are tested against is the HTTP package's: a real master and
// agent in this process with their real HTTP servers on 127.0.0.1, running tasks as OS processes.
export {
  TestFramework as CommandFramework,
  startHttpCluster as startOperatorCluster,
  type HttpCluster as OperatorCluster,
} from '@tessera/http/test-support';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/tessera.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tessera ARGS` as a child process, without blocking this process's event loop (the master
 * it talks to runs here).
 */
export function tessera(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
