import type { CommandInfo, CommandUri, ExecutorInfo } from '@tessera/protocol';
import type { Launch } from '../agent-state.js';

/** A URI to fetch, with the user of the command that asked (part of its cache key, as Mesos). */
export interface FetchItem {
  uri: CommandUri;
  user: string | undefined;
}

/**
 * The URIs a new run fetches: its executor's, then each task's of the launch, each once. A
 * command executor's command is its task's, so those come once; two entries naming the same
 * URI and output file are one fetch.
 */
export function launchUris(executor: ExecutorInfo, launch: Launch): FetchItem[] {
  const commands: (CommandInfo | undefined)[] = [executor.command, ...(launch.kind === 'task' ? [launch.task] : launch.tasks).map((t) => t.command)];
  const seen = new Set<string>();
  const items: FetchItem[] = [];
  for (const command of commands) {
    for (const uri of command?.uris ?? []) {
      const key = `${command!.user ?? ''}\0${uri.value}\0${uri.output_file ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      items.push({ uri, user: command!.user });
    }
  }
  return items;
}
