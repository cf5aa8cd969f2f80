/** @tessera/webui: the master's web UI, as static files the master's HTTP server serves. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding index.html and the UI's scripts and styles. */
export const webuiRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');
