/**
 * The history a scenario's framework records: one JSON line per event it saw, in the order it
 * saw them. The invariant checker reads nothing else, so a history can be written by hand.
 */
import { readFileSync } from 'node:fs';

/** Resources a task asked for (the scalar ones the checker adds up). */
export interface TaskResources {
  cpus: number;
  mem: number;
}

/** The framework sent a LAUNCH of `task_id` on `agent_id`. */
export interface LaunchRecord {
  kind: 'launch';
  at: number;
  task_id: string;
  agent_id: string;
  resources: TaskResources;
  /** `sleep` tasks are the long-running ones; `short` ones end by themselves. */
  role: 'sleep' | 'short';
}

/** A status update reached the framework. */
export interface UpdateRecord {
  kind: 'update';
  at: number;
  task_id: string;
  agent_id?: string;
  state: string;
  reason?: string;
  source?: string;
  /**
   * When the update was made (the status's own timestamp, epoch seconds): a final update that
   * waited in a retry queue while the framework was down arrives long after the task ended.
   */
  timestamp?: number;
}

/** The framework (re)subscribed: `reconnected` after a leader change or a restart of its own. */
export interface SubscribedRecord {
  kind: 'subscribed';
  at: number;
  framework_id: string;
  reconnected: boolean;
}

export type HistoryRecord = LaunchRecord | UpdateRecord | SubscribedRecord;

/**
 * Every record of a history file. A torn last line (the writer was SIGKILLed mid-write) is
 * dropped; a torn line anywhere else is an error, since appends are whole lines.
 */
export function readHistory(file: string): HistoryRecord[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const records: HistoryRecord[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as HistoryRecord);
    } catch (err) {
      if (index === lines.length - 1) break;
      throw new Error(`${file}:${index + 1}: not a JSON history record (${(err as Error).message})`);
    }
  }
  return records;
}
