/**
 * What the scenario's logs say about the tasks an invariant check named: every log line (the
 * processes' logs, the sandboxes' stdout and stderr) mentioning each task, so that a failure seen
 * once on CI can be diagnosed from its output alone.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Violation } from './invariants.js';

const MAX_LINES_PER_TASK = 40;

function filesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(full));
    else if (entry.isFile() && (entry.name.endsWith('.log') || entry.name === 'stdout' || entry.name === 'stderr')) files.push(full);
  }
  return files;
}

/** The violations, each followed by the last log lines naming its task (file: line). */
export function explainViolations(dir: string, violations: readonly Violation[]): string {
  if (violations.length === 0) return '';
  const files = filesUnder(dir).filter((f) => statSync(f).size < 64 * 1024 * 1024);
  const texts = files.map((f) => ({ name: path.relative(dir, f), lines: readFileSync(f, 'utf8').split('\n') }));
  const parts: string[] = [];
  for (const v of violations) {
    parts.push(`${v.invariant} ${v.task_id ?? ''} on ${v.agent_id ?? '?'}: ${v.detail}`);
    const taskId = v.task_id;
    if (taskId === undefined) continue;
    const mentions = texts.flatMap(({ name, lines }) => lines.filter((l) => l.includes(taskId)).map((l) => `  ${name}: ${l.slice(0, 400)}`));
    parts.push(...mentions.slice(-MAX_LINES_PER_TASK));
  }
  return parts.join('\n');
}
