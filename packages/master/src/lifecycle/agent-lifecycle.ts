import { TableMachine } from './table-machine.js';

export type AgentLifecycleState = 'registering' | 'registered' | 'disconnected' | 'unreachable' | 'removed';
export type AgentLifecycleEvent = 'ADMITTED' | 'DISCONNECTED' | 'REREGISTERED' | 'PING_TIMEOUT' | 'REMOVED';

/**
 * An agent as the master sees it. A registered agent whose link breaks is disconnected (its offers
 * withdrawn, no new ones); one that misses its pings becomes unreachable (its tasks reported
 * unreachable or lost); either comes back by re-registering. Removed is for good.
 */
export const agentLifecycle = new TableMachine<AgentLifecycleState, AgentLifecycleEvent>(
  'agent',
  'registering',
  {
    registering: { ADMITTED: 'registered', REREGISTERED: 'registered', REMOVED: 'removed' },
    registered: { DISCONNECTED: 'disconnected', PING_TIMEOUT: 'unreachable', REREGISTERED: 'registered', REMOVED: 'removed' },
    disconnected: { REREGISTERED: 'registered', PING_TIMEOUT: 'unreachable', DISCONNECTED: 'disconnected', REMOVED: 'removed' },
    unreachable: { REREGISTERED: 'registered', REMOVED: 'removed' },
    removed: {},
  },
  ['removed'],
);
