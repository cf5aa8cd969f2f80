/** @tessera/agent: the agent's pure modules (the actor, containerizer and executors come next). */
export { RETRY_MAX_MS, RETRY_MIN_MS, StatusUpdateManager } from './status-update-manager.js';
