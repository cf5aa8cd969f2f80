#!/usr/bin/env node
// Runs every compiled test file of the monorepo in one mocha run and ends with the plain
// summary line CI reads: "N passed, N failed". The counts come from mocha's runner events,
// not from its reporter text. Extra arguments (files or folders) narrow the run.
import Mocha from 'mocha';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const packageDirs = [
  ...readdirSync(path.join(root, 'packages')).map((p) => path.join(root, 'packages', p)),
  path.join(root, 'test-harness'),
];
const defaultRoots = packageDirs.map((p) => path.join(p, 'dist', 'test'));
const roots = process.argv.length > 2 ? process.argv.slice(2).map((a) => path.resolve(a)) : defaultRoots;

/** Every *.test.js below a folder (or the file itself), in a stable order. */
function testFiles(at) {
  if (!existsSync(at)) return [];
  if (statSync(at).isFile()) return at.endsWith('.test.js') ? [at] : [];
  return readdirSync(at).sort().flatMap((entry) => testFiles(path.join(at, entry)));
}
const files = roots.flatMap(testFiles);

if (files.length === 0) {
  console.error(`no test files under ${roots.join(' ')} (did the build run?)`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const startedAt = Date.now();
const mocha = new Mocha({ reporter: 'spec', timeout: 20_000, forbidOnly: true, forbidPending: true });
for (const f of files) mocha.addFile(f);
await mocha.loadFilesAsync();

let passed = 0;
let failed = 0;
const runner = mocha.run();
runner.on('pass', () => { passed += 1; });
runner.on('fail', () => { failed += 1; });
runner.on('end', async () => {
  // Agents SIGKILLed by tests leave their containers' cgroups: remove the empty ones made by this run.
  try {
    const { sweepTesseraCgroups } = await import(path.join(root, 'test-harness', 'dist', 'src', 'cgroup-sweep.js'));
    sweepTesseraCgroups(startedAt);
  } catch (err) {
    console.error(`could not sweep the run's cgroups: ${err.message}`);
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
  // Leaked handles in a broken test must not hang CI after the summary.
  setTimeout(() => process.exit(process.exitCode), 2_000).unref();
});
