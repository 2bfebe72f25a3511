/**
 * Narrows a generated group-version document to what kubemu serves: the discovery endpoint,
 * the paths of served resources (collection, item, all-namespaces list, deprecated watch
 * paths) and of their served subresources, and only the schemas those paths reach.
 * Owns: that filtering. Must not: do I/O or know which resources are served (the caller says).
 */
import { collectSchemaRefs, objectAt, reachableSchemas, type JsonObject } from './json.js';
import { parseApiPath } from './paths.js';

/** Served resources of one group-version: plural → served subresource names. */
export type ServedPaths = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * A new document with the paths of `served` only and the schemas they reach transitively.
 * `doc` is not modified; kept path items and schemas are shared with it, not copied.
 */
export function filterDocument(doc: JsonObject, served: ServedPaths): JsonObject {
  const paths = objectAt(doc, 'paths') ?? {};
  const components = objectAt(doc, 'components') ?? {};
  const schemas = objectAt(components, 'schemas') ?? {};

  const keptPaths: JsonObject = {};
  const roots = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    const target = parseApiPath(path)?.target;
    if (target) {
      const subresources = served.get(target.plural);
      if (!subresources) continue;
      if (target.subresource !== undefined && !subresources.has(target.subresource)) continue;
    }
    keptPaths[path] = item;
    collectSchemaRefs(item, roots);
  }

  const { names } = reachableSchemas(roots, schemas);
  const keptSchemas: JsonObject = {};
  for (const name of Object.keys(schemas)) {
    if (names.has(name)) keptSchemas[name] = schemas[name] as JsonObject;
  }
  const keptComponents: JsonObject = { ...components, schemas: keptSchemas };
  return { ...doc, paths: keptPaths, components: keptComponents };
}
