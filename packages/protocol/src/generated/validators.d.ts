import type { ValidateFunction } from 'ajv';

/** The envelope's and each message type's validator, generated at build time. */
export declare const validators: Record<string, ValidateFunction>;
