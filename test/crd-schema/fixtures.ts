/** Schemas used by the crd-schema tests and benchmark: the CronTab of the Kubernetes docs and a large generated one. */
import type { Test } from 'tap';
import { compileSchema, type JSONSchemaProps } from '../../src/registry/crd-schema/index.js';
import { cronTabSchema as cronTabOpenAPISchema } from '../../conformance/scenarios/crd-fixtures.js';

/** The CronTab example (Kubernetes docs, "Extend the Kubernetes API with CustomResourceDefinitions"), as the conformance fixtures define it. */
export const cronTabSchema = cronTabOpenAPISchema() as JSONSchemaProps;

/** A deep schema of real-world size: nested objects, lists of maps, int-or-string, embedded resources. */
export function largeSchema(width = 12, depth = 5): JSONSchemaProps {
  const level = (d: number): JSONSchemaProps => {
    const properties: Record<string, JSONSchemaProps> = {};
    for (let i = 0; i < width; i++) {
      properties[`str${i}`] = { type: 'string', maxLength: 253, pattern: '^[a-z0-9-]*$' };
      properties[`num${i}`] = { type: 'integer', minimum: 0, maximum: 65535, default: i };
    }
    properties.port = { 'x-kubernetes-int-or-string': true };
    properties.mode = { type: 'string', enum: ['a', 'b', 'c'] };
    properties.labels = { type: 'object', additionalProperties: { type: 'string' } };
    properties.items = {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, value: { type: 'string' } } },
    };
    if (d > 0) properties.child = level(d - 1);
    return { type: 'object', properties };
  };
  return { type: 'object', properties: { spec: level(depth), status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } };
}

/** An object valid for largeSchema(width, depth). */
export function largeObject(width = 12, depth = 5): Record<string, unknown> {
  const level = (d: number): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < width; i++) {
      o[`str${i}`] = `value-${i}`;
      o[`num${i}`] = i * 10;
    }
    o.port = 'http';
    o.mode = 'b';
    o.labels = { app: 'x', tier: 'y' };
    o.items = [{ name: 'a', value: '1' }, { name: 'b', value: '2' }];
    if (d > 0) o.child = level(d - 1);
    return o;
  };
  return { apiVersion: 'example.com/v1', kind: 'Big', metadata: { name: 'big' }, spec: level(depth), status: { anything: 1 } };
}

/** A root schema whose spec.v (string) carries one CEL rule. */
export function onString(rule: string): JSONSchemaProps {
  return {
    type: 'object',
    properties: { spec: { type: 'object', properties: { v: { type: 'string', 'x-kubernetes-validations': [{ rule }] } } } },
  };
}

/** Compiles onString(rule), asserting on `t` that it has no warning, and validates spec.v = `v`: the errors as strings. */
export function runStringRule(t: Test, rule: string, v: string): string[] {
  const c = compileSchema(onString(rule));
  t.same(c.warnings, [], `no warning for ${rule}`);
  return c.validate({ spec: { v } }).map(String);
}
