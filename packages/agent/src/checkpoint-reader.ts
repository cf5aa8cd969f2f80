import { existsSync, readFileSync, readdirSync } from 'node:fs';
import {
  parseBody,
  type AgentCheckpoint,
  type ExecutorCheckpoint,
  type FrameworkInfo,
  type MessageType,
  type Messages,
  type TaskCheckpoint,
  type UpdateRecord,
} from '@tessera/protocol';
import { checkpointPaths } from './checkpoint-writer.js';

/** A checkpoint file that cannot be read back: the agent refuses to start (Mesos's `--strict`). */
export class CheckpointError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`corrupt checkpoint ${file}: ${problem}`);
    this.name = 'CheckpointError';
  }
}

/** A task as checkpointed: what it is, and its stream of updates and acks in order. */
export interface CheckpointedTask {
  task: TaskCheckpoint;
  records: UpdateRecord[];
}

export interface CheckpointedFramework {
  info: FrameworkInfo;
  executors: ExecutorCheckpoint[];
  tasks: CheckpointedTask[];
}

/** Everything an agent checkpointed; `agent` is undefined when nothing was. */
export interface Checkpoint {
  agent: AgentCheckpoint | undefined;
  frameworks: CheckpointedFramework[];
}

/**
 * Reads a checkpoint directory back, validating every file against its schema.
 * @throws CheckpointError naming the first file that is not what the agent wrote.
 */
export function readCheckpoint(directory: string): Checkpoint {
  const agentFile = checkpointPaths.agent(directory);
  if (!existsSync(agentFile)) return { agent: undefined, frameworks: [] };
  const agent = readCheckpointFile(agentFile, 'checkpoint.Agent');
  const frameworks = entries(checkpointPaths.frameworks(directory)).map((id) => readFramework(directory, id));
  return { agent, frameworks };
}

/** Only the agent's own record (`agent.json`), e.g. for its node name. */
export function readAgentCheckpoint(directory: string): AgentCheckpoint | undefined {
  const file = checkpointPaths.agent(directory);
  return existsSync(file) ? readCheckpointFile(file, 'checkpoint.Agent') : undefined;
}

function readFramework(directory: string, id: string): CheckpointedFramework {
  const file = checkpointPaths.frameworkFile(directory, id);
  const { info } = readCheckpointFile(file, 'checkpoint.Framework');
  if (info.id?.value !== id) throw new CheckpointError(file, `it names framework ${info.id?.value ?? '(none)'}, not ${id}`);
  const executors = entries(checkpointPaths.executors(directory, id))
    .filter((name) => name.endsWith('.json'))
    .map((name) => readCheckpointFile(`${checkpointPaths.executors(directory, id)}/${name}`, 'checkpoint.Executor'));
  const tasks = entries(checkpointPaths.tasks(directory, id)).flatMap((taskId) => {
    const taskFile = checkpointPaths.taskFile(directory, id, taskId);
    // A task directory without its task file: the agent died between the two writes of a launch.
    if (!existsSync(taskFile)) return [];
    return [{ task: readCheckpointFile(taskFile, 'checkpoint.Task'), records: readRecords(checkpointPaths.updatesFile(directory, id, taskId)) }];
  });
  return { info, executors, tasks };
}

/**
 * An append-only stream: one JSON record a line. A last line without its newline is a write the
 * agent's death cut short, and is dropped (as Mesos drops a torn last record); any other bad
 * line is corruption.
 */
function readRecords(file: string): UpdateRecord[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const torn = lines.pop();
  if (torn !== undefined && torn !== '') lines.push(...(isJson(torn) ? [torn] : []));
  return lines.map((line, n) => {
    const checked = parseBody('checkpoint.UpdateRecord', line);
    if (!checked.ok) throw new CheckpointError(file, `line ${n + 1} ${checked.error}`);
    const value = checked.value;
    if ((value.update === undefined) === (value.ack === undefined)) throw new CheckpointError(file, `line ${n + 1} holds neither or both of an update and an ack`);
    return value;
  });
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

/** The entries of a directory, leaving out temporary files; none when it does not exist. */
function entries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => !name.endsWith('.tmp')).sort();
}
