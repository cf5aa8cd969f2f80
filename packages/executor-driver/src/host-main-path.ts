import { fileURLToPath } from 'node:url';

/**
 * The compiled entry of the executor host OS process (dist/src/host-main.js), for the agent to
 * start with `spawn(process.execPath, [EXECUTOR_HOST_MAIN], { env })`. Kept apart from
 * host-main.ts, which runs when imported.
 */
export const EXECUTOR_HOST_MAIN = fileURLToPath(new URL('./host-main.js', import.meta.url));
