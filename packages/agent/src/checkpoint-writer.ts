import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AgentCheckpoint, ExecutorCheckpoint, FrameworkInfo, JournalRecord, TaskCheckpoint, TaskStatus } from '@tessera/protocol';
import { JournalState, type CheckpointedFramework } from './checkpoint-journal.js';

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
  journal: (dir: string) => path.join(dir, 'journal'),
};

/** A journal is rewritten from what is live once it has grown past this, and past 4 times its last snapshot. */
const MIN_COMPACTION_BYTES = 4 * 1024 * 1024;

/**
 * Writes what a restarted agent needs, the least per event: the agent's own record in a small
 * file replaced atomically (written beside, then renamed over), and everything else (frameworks,
 * executor runs, tasks, each update taken and each ack) as one line appended to one journal, kept
 * open: a task's launch, updates and end cost a few appends to one file, not a directory of files
 * made and removed. When the journal has grown to several times what is still live, a snapshot
 * of the live state replaces it. Synchronous, gathered per tick (see flush): the order of the
 * agent's events is the order on disk. Not fsynced: a checkpoint survives the agent's death,
 * not the machine's (after a reboot the agent starts fresh anyway).
 */
export class CheckpointWriter {
  private readonly live: JournalState;
  private fd: number | undefined;
  private journalBytes = 0;
  private compactAt = MIN_COMPACTION_BYTES;
  /** Lines appended and not yet written (see flush). */
  private pending = '';
  private flushQueued = false;
  private readonly flushBound = (): void => this.flush();

  /**
   * @param recovered what the journal held when the agent started (see readCheckpoint)
   * @param onSkipped told of a record not written because it names what was never checkpointed
   *   (an agent's slip, which must not leave a journal that recovery refuses)
   */
  constructor(
    readonly directory: string,
    recovered: readonly CheckpointedFramework[] = [],
    private readonly onSkipped: (problem: string) => void = () => {},
  ) {
    this.live = new JournalState(recovered);
  }

  agent(record: AgentCheckpoint): void {
    mkdirSync(this.directory, { recursive: true });
    const file = checkpointPaths.agent(this.directory);
    writeFileSync(`${file}.tmp`, JSON.stringify(record));
    renameSync(`${file}.tmp`, file);
  }

  framework(info: FrameworkInfo): void {
    this.append({ framework: info });
  }

  executor(frameworkId: string, record: ExecutorCheckpoint): void {
    this.append({ framework_id: frameworkId, executor: record });
  }

  removeExecutor(frameworkId: string, executorId: string): void {
    this.append({ framework_id: frameworkId, executor_removed: executorId });
  }

  task(frameworkId: string, record: TaskCheckpoint): void {
    this.append({ framework_id: frameworkId, task: record });
  }

  /** An update the agent took for a task: appended to the task's stream. */
  update(frameworkId: string, taskId: string, status: TaskStatus): void {
    this.append({ framework_id: frameworkId, task_id: taskId, update: status });
  }

  /** The acknowledgement of the update `uuid` of a task. */
  ack(frameworkId: string, taskId: string, uuid: string): void {
    this.append({ framework_id: frameworkId, task_id: taskId, ack: uuid });
  }

  removeTask(frameworkId: string, taskId: string): void {
    this.append({ framework_id: frameworkId, task_removed: taskId });
  }

  removeFramework(frameworkId: string): void {
    this.append({ framework_removed: frameworkId });
  }

  /**
   * Forgets the agent and what ran on it (a reboot: the old executors are gone). Other files of
   * the directory, such as the executor host's record, are not the agent's to remove.
   */
  wipe(): void {
    this.live.clear();
    this.compact();
    rmSync(checkpointPaths.agent(this.directory), { force: true });
  }

  /** Closes the journal (the agent stopped), written to the last line. */
  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(record: JournalRecord): void {
    // The first append rewrites the journal from the recovered state: a line the agent's death
    // cut short must not end up in the middle of it.
    if (this.fd === undefined) this.compact();
    const problem = this.live.apply(record);
    if (problem !== undefined) return this.onSkipped(problem);
    this.pending += `${JSON.stringify(record)}\n`;
    if (!this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(this.flushBound);
    }
  }

  /**
   * Writes the lines appended so far, in one write. Appends are gathered until the agent's
   * current work is done (a tick: every message a turn serves, ten or so lines a task), not
   * until the turn ends: the agent's messages leave at the end of the turn, so no message that
   * tells of a record leaves before the record is in the file.
   */
  flush(): void {
    this.flushQueued = false;
    if (this.pending === '' || this.fd === undefined) return;
    const text = this.pending;
    this.pending = '';
    this.journalBytes += writeSync(this.fd, text);
    if (this.journalBytes > this.compactAt) this.compact();
  }

  /** Replaces the journal by the fewest lines that say what is live now. */
  private compact(): void {
    mkdirSync(this.directory, { recursive: true });
    const file = checkpointPaths.journal(this.directory);
    let text = '';
    for (const record of this.live.snapshot()) text += `${JSON.stringify(record)}\n`;
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    // What waited to be appended is in the snapshot.
    this.pending = '';
    this.close();
    this.fd = openSync(file, 'a');
    this.journalBytes = Buffer.byteLength(text);
    this.compactAt = Math.max(MIN_COMPACTION_BYTES, 4 * this.journalBytes);
  }
}
