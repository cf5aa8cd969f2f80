import { appendFileSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentCheckpoint, ExecutorCheckpoint, FrameworkInfo, TaskCheckpoint, TaskStatus, UpdateRecord } from '@tessera/protocol';

/**
 * Where an agent running as `node` checkpoints inside its work dir: `<workDir>/meta/nodes/<node>`
 * (Mesos: `meta/slaves/<id>`; by node here, because the node is what executors find again, and
 * several agents may share one work dir, each with its own node).
 */
export function checkpointDirectory(workDir: string, node: string): string {
  return path.join(workDir, 'meta', 'nodes', node);
}

/** The node of the one agent that checkpointed in `workDir`, if exactly one did. */
export function checkpointedNode(workDir: string): string | undefined {
  let nodes: string[];
  try {
    nodes = readdirSync(path.join(workDir, 'meta', 'nodes'));
  } catch {
    return undefined;
  }
  return nodes.length === 1 ? nodes[0] : undefined;
}

/** Paths inside a checkpoint directory, shared by the writer and the reader. */
export const checkpointPaths = {
  agent: (dir: string) => path.join(dir, 'agent.json'),
  executorHost: (dir: string) => path.join(dir, 'executor-host.json'),
  frameworks: (dir: string) => path.join(dir, 'frameworks'),
  framework: (dir: string, fw: string) => path.join(dir, 'frameworks', fw),
  frameworkFile: (dir: string, fw: string) => path.join(dir, 'frameworks', fw, 'framework.json'),
  executors: (dir: string, fw: string) => path.join(dir, 'frameworks', fw, 'executors'),
  executorFile: (dir: string, fw: string, ex: string) => path.join(dir, 'frameworks', fw, 'executors', `${ex}.json`),
  tasks: (dir: string, fw: string) => path.join(dir, 'frameworks', fw, 'tasks'),
  task: (dir: string, fw: string, task: string) => path.join(dir, 'frameworks', fw, 'tasks', task),
  taskFile: (dir: string, fw: string, task: string) => path.join(dir, 'frameworks', fw, 'tasks', task, 'task.json'),
  updatesFile: (dir: string, fw: string, task: string) => path.join(dir, 'frameworks', fw, 'tasks', task, 'updates'),
};

/**
 * Writes what a restarted agent needs, the least per event: small files replaced atomically
 * (written beside, then renamed over) for the agent, frameworks, executors and tasks, and one
 * append-only file of updates and acks per task. Synchronous: each write is tens of
 * microseconds, and the order of the agent's events is the order on disk. Not fsynced: a
 * checkpoint survives the agent's death, not the machine's (after a reboot the agent starts
 * fresh anyway).
 */
export class CheckpointWriter {
  /** Directories known to exist, so that a launch costs no mkdir of them. */
  private readonly made = new Set<string>();

  constructor(readonly directory: string) {}

  agent(record: AgentCheckpoint): void {
    this.replace(checkpointPaths.agent(this.directory), record);
  }

  framework(info: FrameworkInfo): void {
    this.replace(checkpointPaths.frameworkFile(this.directory, info.id!.value), { info });
  }

  executor(frameworkId: string, record: ExecutorCheckpoint): void {
    this.replace(checkpointPaths.executorFile(this.directory, frameworkId, record.info.executor_id.value), record);
  }

  removeExecutor(frameworkId: string, executorId: string): void {
    rmSync(checkpointPaths.executorFile(this.directory, frameworkId, executorId), { force: true });
  }

  task(frameworkId: string, record: TaskCheckpoint): void {
    this.replace(checkpointPaths.taskFile(this.directory, frameworkId, record.info.task_id.value), record);
  }

  /** An update the agent took for a task: appended to the task's stream. */
  update(frameworkId: string, taskId: string, status: TaskStatus): void {
    this.append(frameworkId, taskId, { update: status });
  }

  /** The acknowledgement of the update `uuid` of a task. */
  ack(frameworkId: string, taskId: string, uuid: string): void {
    this.append(frameworkId, taskId, { ack: uuid });
  }

  removeTask(frameworkId: string, taskId: string): void {
    const dir = checkpointPaths.task(this.directory, frameworkId, taskId);
    this.made.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  }

  removeFramework(frameworkId: string): void {
    const dir = checkpointPaths.framework(this.directory, frameworkId);
    for (const made of this.made) if (made.startsWith(dir)) this.made.delete(made);
    rmSync(dir, { recursive: true, force: true });
  }

  /**
   * Forgets the agent and what ran on it (a reboot: the old executors are gone). Other files of
   * the directory, such as the executor host's record, are not the agent's to remove.
   */
  wipe(): void {
    this.made.clear();
    rmSync(checkpointPaths.frameworks(this.directory), { recursive: true, force: true });
    rmSync(checkpointPaths.agent(this.directory), { force: true });
  }

  private append(frameworkId: string, taskId: string, record: UpdateRecord): void {
    const file = checkpointPaths.updatesFile(this.directory, frameworkId, taskId);
    this.ensureDirectory(path.dirname(file));
    appendFileSync(file, `${JSON.stringify(record)}\n`);
  }

  private replace(file: string, value: unknown): void {
    this.ensureDirectory(path.dirname(file));
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, JSON.stringify(value));
    renameSync(temporary, file);
  }

  private ensureDirectory(dir: string): void {
    if (this.made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.made.add(dir);
  }
}
