/**
 * Finds the sub-schemas that several message schemas embed (TypeBox embeds the same object, e.g.
 * TaskInfo in RunTask, LAUNCH and the checkpoint journal) and turns each into a `$ref` to one
 * named schema. Without this, ajv writes a whole copy of TaskInfo's checks into every validator
 * that holds one: 8 MB of code that every process parsed at start-up and compiled again per
 * validator. With it, each shared type is one function, called where it is used.
 */

/** Object keys whose values are maps from names to schemas, not schemas themselves. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
/** A shared schema smaller than this (as JSON) is cheaper inlined than called. */
const MIN_SHARED_CHARS = 400;

function isSchema(node) {
  return node !== null && typeof node === 'object' && !Array.isArray(node)
    && (typeof node.type === 'string' || Array.isArray(node.type) || Array.isArray(node.anyOf) || Array.isArray(node.oneOf) || Array.isArray(node.allOf));
}

/** Calls `visit(schema)` for every schema position under `node`, depth first. */
function eachSchema(node, visit) {
  if (!isSchema(node)) return;
  if (visit(node) === false) return;
  for (const [key, value] of Object.entries(node)) {
    if (SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object') for (const child of Object.values(value)) eachSchema(child, visit);
    else if (Array.isArray(value)) for (const child of value) eachSchema(child, visit);
    else eachSchema(value, visit);
  }
}

/**
 * @param {Record<string, object>} schemas the top-level schemas by name
 * @returns {{ schemas: Record<string, object>, shared: Record<string, object> }} the top-level
 *   schemas and the shared ones (named `shared-<n>`), each with its shared parts as `$ref`s
 */
export function extractSharedSchemas(schemas) {
  const uses = new Map();
  for (const schema of Object.values(schemas)) {
    eachSchema(schema, (node) => {
      const seen = uses.get(node) ?? 0;
      uses.set(node, seen + 1);
      return seen === 0; // a schema met again: its insides were counted already
    });
  }
  const names = new Map();
  for (const [node, count] of uses) {
    if (count >= 2 && JSON.stringify(node).length >= MIN_SHARED_CHARS) names.set(node, `shared-${names.size}`);
  }
  const rewrite = (node, self) => {
    if (node !== self && names.has(node)) return { $ref: names.get(node) };
    const copy = {};
    for (const [key, value] of Object.entries(node)) {
      if (SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object') {
        copy[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSchema(v) ? rewrite(v) : v]));
      } else if (Array.isArray(value)) copy[key] = value.map((v) => (isSchema(v) ? rewrite(v) : v));
      else copy[key] = isSchema(value) ? rewrite(value) : value;
    }
    return copy;
  };
  return {
    schemas: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, rewrite(schema, schema)])),
    shared: Object.fromEntries([...names].map(([node, name]) => [name, rewrite(node, node)])),
  };
}
