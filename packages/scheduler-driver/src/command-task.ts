import { Resources, type CommandInfo, type Offer, type Resource, type TaskInfo } from '@tessera/protocol';

/** What `commandTask` needs. */
export interface CommandTaskOptions {
  /** The task id, unique within the framework. */
  id: string;
  /** A name for humans; defaults to the id. */
  name?: string;
  /** A shell command line (run with `sh -c`), or a full CommandInfo. */
  command: string | CommandInfo;
  /** What the task uses: Mesos flag syntax (`cpus:0.5;mem:64`), a Resources value, or wire resources. */
  resources: string | Resources | readonly Resource[];
  /** The offer the task is launched on: gives the agent and the role the resources are allocated to. */
  offer: Offer;
}

/** The role an offer's resources are allocated to (multi-role frameworks get one role per offer). */
function offerRole(offer: Offer): string | undefined {
  return offer.allocation_info?.role ?? offer.resources.find((r) => r.allocation_info !== undefined)?.allocation_info?.role;
}

/**
 * A TaskInfo that runs a shell command with the command executor, on the offer's agent. The
 * resources are marked allocated to the offer's role, as the master requires of a task launched
 * on an allocated offer. Throws when the offer does not hold them (one task's worth: a framework
 * that packs several tasks into one offer keeps its own tally), or when an argument is malformed.
 */
export function commandTask(options: CommandTaskOptions): TaskInfo {
  const { id, name, command, resources, offer } = options;
  if (typeof id !== 'string' || id.length === 0) throw new TypeError('commandTask: id must be a non-empty string');
  if (typeof command === 'string' ? command.trim() === '' : typeof command !== 'object' || command === null) {
    throw new TypeError('commandTask: command must be a non-empty command line or a CommandInfo');
  }
  if (typeof offer !== 'object' || offer === null || offer.agent_id === undefined) throw new TypeError('commandTask: offer must be an Offer');
  const wanted = typeof resources === 'string' ? Resources.parse(resources) : resources instanceof Resources ? resources : Resources.of(resources);
  if (wanted.isEmpty()) throw new TypeError(`commandTask: task ${id} asks for no resources`);
  const role = offerRole(offer);
  const allocated = role === undefined ? wanted : wanted.withAllocation(role);
  const offered = Resources.of(offer.resources);
  if (!offered.contains(allocated)) {
    throw new Error(`commandTask: offer ${offer.id.value} cannot hold task ${id}: it wants ${wanted.toString()}, the offer has ${offered.withoutAllocation().toString()}`);
  }
  return {
    name: name ?? id,
    task_id: { value: id },
    agent_id: { value: offer.agent_id.value },
    resources: allocated.toJSON(),
    command: typeof command === 'string' ? { value: command, shell: true } : command,
  };
}
