/** @tessera/master: the master's lifecycles and pure policy modules (the actor comes next). */
export { applyTaskState, isTerminal, newTask, taskMachine, taskState, type TaskEvent, type TaskSnapshot } from './task-lifecycle.js';
export { validateAccept, type AcceptContext, type AcceptVerdict, type OfferRecord, type TaskRefusal } from './accept-validation.js';
