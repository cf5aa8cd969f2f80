import { TableMachine } from './table-machine.js';

export type FrameworkLifecycleState = 'active' | 'disconnected' | 'failingOver' | 'tornDown';
export type FrameworkLifecycleEvent = 'DISCONNECTED' | 'NEW_SCHEDULER' | 'SUBSCRIBED' | 'TEARDOWN';

/**
 * A framework as the master sees it. Its scheduler's link breaking leaves it disconnected, with
 * its failover timeout running. A scheduler subscribing with its id (from disconnected, or
 * replacing a live one) fails it over: the old scheduler and its offers are dropped, then it is
 * active again. A teardown (asked, or the timeout expiring) is final.
 */
export const frameworkLifecycle = new TableMachine<FrameworkLifecycleState, FrameworkLifecycleEvent>(
  'framework',
  'active',
  {
    active: { DISCONNECTED: 'disconnected', NEW_SCHEDULER: 'failingOver', SUBSCRIBED: 'active', TEARDOWN: 'tornDown' },
    disconnected: { NEW_SCHEDULER: 'failingOver', TEARDOWN: 'tornDown' },
    failingOver: { SUBSCRIBED: 'active', TEARDOWN: 'tornDown' },
    tornDown: {},
  },
  ['tornDown'],
);
