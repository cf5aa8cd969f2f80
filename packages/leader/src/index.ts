/** @tessera/leader: electing one master over a JetStream KV lease, and following the leader. */
export { LeaseConflictError, type LeaseStore, type StoredLease } from './lease-store.js';
export { MemoryLeaseStore } from './memory-lease-store.js';
export { KvLeaseStore } from './kv-lease-store.js';
export { bucketName, connectKv, createBucket, findLeaseDetector, openLeaseDetector, openLeaseStore } from './cluster-kv.js';
export { DEFAULT_LEASE_MS, LeaderElector, type Candidate, type LeaderElectorOptions } from './leader-elector.js';
export { LeaseDetector, StaticMasterDetector, type MasterDetector } from './master-detector.js';
export { LeaderTracker, type Refusal } from './leader-tracker.js';
