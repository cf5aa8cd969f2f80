/**
 * How every message validator is built: by ajv at build time (scripts/generate-validators.mjs).
 * `unicode: false`: string limits count UTF-16 units (`.length`) rather than code points, which
 * costs a tenth as much on every id and name of every message.
 */
export const AJV_OPTIONS = { allErrors: false, allowUnionTypes: true, strict: true, unicode: false } as const;
