import { existsSync, readFileSync } from 'node:fs';
import { parseBody, type AgentCheckpoint, type MessageType, type Messages } from '@tessera/protocol';
import { JournalState, type CheckpointedFramework } from './checkpoint-journal.js';
import { checkpointPaths } from './checkpoint-writer.js';

export type { CheckpointedFramework, CheckpointedTask } from './checkpoint-journal.js';

/** A checkpoint file that cannot be read back: the agent refuses to start (Mesos's `--strict`). */
export class CheckpointError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`corrupt checkpoint ${file}: ${problem}`);
    this.name = 'CheckpointError';
  }
}

/** Everything an agent checkpointed; `agent` is undefined when nothing was. */
export interface Checkpoint {
  agent: AgentCheckpoint | undefined;
  frameworks: CheckpointedFramework[];
}

/**
 * Reads a checkpoint directory back, validating the agent's file and every journal line.
 * @throws CheckpointError naming the file (and line) that is not what the agent wrote.
 */
export function readCheckpoint(directory: string): Checkpoint {
  const agent = readAgentCheckpoint(directory);
  if (agent === undefined) return { agent: undefined, frameworks: [] };
  return { agent, frameworks: readJournal(checkpointPaths.journal(directory)) };
}

/** Only the agent's own record (`agent.json`), e.g. for its node name. */
export function readAgentCheckpoint(directory: string): AgentCheckpoint | undefined {
  const file = checkpointPaths.agent(directory);
  return existsSync(file) ? readCheckpointFile(file, 'checkpoint.Agent') : undefined;
}

/**
 * Replays the journal: one JSON record a line, in order. A last line without its newline is a
 * write the agent's death cut short, and is dropped (as Mesos drops a torn last record); any other
 * bad line is corruption.
 */
function readJournal(file: string): CheckpointedFramework[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  const last = lines.pop();
  if (last !== undefined && last !== '' && isJson(last)) lines.push(last);
  const state = new JournalState();
  lines.forEach((line, n) => {
    const checked = parseBody('checkpoint.JournalRecord', line);
    if (!checked.ok) throw new CheckpointError(file, `line ${n + 1} ${checked.error}`);
    const problem = state.apply(checked.value);
    if (problem !== undefined) throw new CheckpointError(file, `line ${n + 1}: ${problem}`);
  });
  return state.frameworksList();
}

/** Reads one checkpoint file, validated against `type`. @throws CheckpointError naming the file. */
export function readCheckpointFile<K extends MessageType>(file: string, type: K): Messages[K] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CheckpointError(file, (e as Error).message);
  }
  const checked = parseBody(type, text);
  if (!checked.ok) throw new CheckpointError(file, `the file ${checked.error}`);
  return checked.value;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
