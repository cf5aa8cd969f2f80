/**
 * @tessera/allocator: hierarchical DRF over roles with weights, quota, reservations and filters.
 * The policy (sorters, state, allocation pass) is pure; AllocatorProcess is its message shell.
 */
export { Quantities, quantitiesOf } from './quantities.js';
export type { Sorter } from './sorter/sorter.js';
export { DrfSorter } from './sorter/drf-sorter.js';
export { RandomSorter, type UniformSource } from './sorter/random-sorter.js';
export { KeyedHeap } from './sorter/heap.js';
export { OfferFilters, DEFAULT_REFUSE_SECONDS, MAX_REFUSE_SECONDS, refuseSeconds, type RefusedFilter } from './filters.js';
export { AgentRecord, FrameworkRecord, RoleRecord, DEFAULT_MIN_ALLOCATABLE, quotaLimit, type Quota } from './model.js';
export { AllocatorState, type Allocation, type AllocatorConfig } from './allocator-state.js';
export { allocate, type PassInput } from './allocation-pass.js';
export { RunTimes, allocatorGauges } from './metrics.js';
export { AllocatorProcess, type AllocatorProcessOptions } from './allocator-process.js';
