/**
 * The parts of the master's and agents' v0 JSON views the CLI reads (Mesos state.json field
 * names, see the issue 6 contract). Only what a command shows is typed; the rest passes through
 * `--json` untouched.
 */

import type { ResourceMap } from '@tessera/protocol';

export type { ResourceMap };

export interface TaskView {
  id: string;
  name: string;
  framework_id: string;
  executor_id?: string;
  slave_id: string;
  state: string;
  resources: ResourceMap;
  statuses?: { state: string; timestamp: number }[];
}

export interface FrameworkView {
  id: string;
  name: string;
  user?: string;
  role?: string;
  roles?: string[];
  active: boolean;
  connected?: boolean;
  registered_time?: number;
  used_resources?: ResourceMap;
  resources?: ResourceMap;
  tasks?: TaskView[];
  completed_tasks?: TaskView[];
}

export interface AgentView {
  id: string;
  pid?: string;
  hostname: string;
  port?: number;
  active?: boolean;
  resources: ResourceMap;
  used_resources?: ResourceMap;
  reserved_resources?: Record<string, ResourceMap>;
  attributes?: Record<string, unknown>;
  registered_time?: number;
  version?: string;
}

export interface MasterState {
  id?: string;
  hostname?: string;
  leader?: string;
  slaves: AgentView[];
  frameworks: FrameworkView[];
  completed_frameworks?: FrameworkView[];
}

/** An agent's `/state`: where each executor's sandbox is. */
export interface AgentState {
  id?: string;
  frameworks?: AgentFrameworkView[];
  completed_frameworks?: AgentFrameworkView[];
}

export interface AgentFrameworkView {
  id: string;
  executors?: AgentExecutorView[];
  completed_executors?: AgentExecutorView[];
}

export interface AgentExecutorView {
  id: string;
  directory: string;
  tasks?: { id: string }[];
  queued_tasks?: { id: string }[];
  completed_tasks?: { id: string }[];
}

/** `/files/read`: the data from `offset`, or `{data: "", offset: size}` for offset -1. */
export interface FileChunk {
  data: string;
  offset: number;
}
