// src/openapi/gnostic-v2.ts (+ its table, go-yaml.ts, v2.ts): the gnostic openapi.v2 protobuf
// encoding of /openapi/v2, held against gnostic's OpenAPIv2.proto and against the bytes a real
// kube-apiserver (v1.21.2) served, both in ../shared/k8s-reference (read at test time only; the
// checks that need them are skipped with a printed reason when the folder is absent).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { encodeGnosticV2 } from '../../src/openapi/gnostic-v2.js';
import type { GnosticField } from '../../src/openapi/gnostic-v2-fields.js';
import { GNOSTIC_V2_MESSAGES } from '../../src/openapi/gnostic-v2-table.js';
import { goYaml } from '../../src/openapi/go-yaml.js';
import { isObject, type Json, type JsonObject } from '../../src/openapi/json.js';
import { parseApiPath } from '../../src/openapi/paths.js';
import { SERVED_RESOURCES } from '../../src/openapi/served.js';
import { openapiV2Document, openapiV2Json, openapiV2Protobuf, openapiV2Timings } from '../../src/openapi/v2.js';

const REFERENCE = fileURLToPath(new URL('../../../shared/k8s-reference/', import.meta.url));
const PROTO = `${REFERENCE}gnostic/OpenAPIv2.proto`;
const GOLDEN = `${REFERENCE}openapi-v2-v1.21.2.pb`;
const SWAGGER = `${REFERENCE}swagger-v1.35.0.json`;
const VERSION = 'v1.31.0';

/** A decoded message as protobufjs's toObject gives it, with proto field names (keepCase). */
type Decoded = { [field: string]: unknown };

function loadGnostic(): protobuf.Root {
  const root = new protobuf.Root();
  root.loadSync(PROTO, { keepCase: true });
  root.resolveAll();
  return root;
}

function decodeDocument(root: protobuf.Root, bytes: Uint8Array): Decoded {
  const type = root.lookupType('openapi.v2.Document');
  return type.toObject(type.decode(bytes), { longs: Number }) as Decoded;
}

function fieldToJson(f: GnosticField, value: unknown): Json {
  if (f.type === 'string' || f.type === 'bool' || f.type === 'double' || f.type === 'int64') return value as Json;
  return messageToJson(f.type, (value ?? {}) as Decoded);
}

/**
 * The Swagger JSON a decoded gnostic message stands for: the inverse of the encoder's rules,
 * read from the same table (a one-element TypeItem/ItemsItem becomes the bare value, an Any
 * its parsed YAML).
 */
function messageToJson(type: string, message: Decoded): Json {
  const spec = GNOSTIC_V2_MESSAGES[type];
  if (!spec) throw new Error(`no table entry for ${type}`);
  switch (spec.shape) {
    case 'any':
      return parseYaml(String(message.yaml ?? '')) as Json;
    case 'list': {
      const f = spec.fields[0] as GnosticField;
      const items = ((message[f.name] as unknown[]) ?? []).map((item) => fieldToJson(f, item));
      return items.length === 1 ? (items[0] as Json) : items;
    }
    case 'oneof': {
      for (const f of spec.fields) if (message[f.name] !== undefined) return fieldToJson(f, message[f.name]);
      return null;
    }
    case 'object': {
      const out: JsonObject = {};
      for (const f of spec.fields) {
        const value = message[f.name];
        if (value === undefined) continue;
        if (f.pattern !== undefined) {
          const valueField = GNOSTIC_V2_MESSAGES[f.type]?.fields[1] as GnosticField;
          for (const entry of value as Decoded[]) out[String(entry.name ?? '')] = fieldToJson(valueField, entry.value);
        } else if (f.json !== undefined) {
          out[f.json] = f.repeated ? (value as unknown[]).map((item) => fieldToJson(f, item)) : fieldToJson(f, value);
        }
      }
      return out;
    }
  }
}

/** The JSON path of the first difference between two JSON values, or undefined when equal (key order ignored). */
function firstDifference(a: Json | undefined, b: Json | undefined, path = '$'): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path} (length ${a.length} vs ${b.length})`;
    for (let i = 0; i < a.length; i++) {
      const diff = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (diff) return diff;
    }
    return undefined;
  }
  if (isObject(a as Json) && isObject(b as Json)) {
    const ao = a as JsonObject;
    const bo = b as JsonObject;
    for (const key of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
      const diff = firstDifference(ao[key], bo[key], `${path}.${key}`);
      if (diff) return diff;
    }
    return undefined;
  }
  return a === b ? undefined : `${path} (${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)})`;
}

const isArrayIndex = (name: string): boolean => /^(0|[1-9][0-9]*)$/.test(name) && Number(name) < 2 ** 32 - 1;

/**
 * Puts the `{name, value}` entries of every map field in the order a JS object iterates those
 * names (array-index names first, ascending), which is the order the encoder sees them in.
 * Returns how many lists moved.
 */
function orderLikeJsObjects(message: unknown): number {
  if (Array.isArray(message)) return message.reduce((n: number, item) => n + orderLikeJsObjects(item), 0);
  if (typeof message !== 'object' || message === null || message instanceof Uint8Array) return 0;
  let moved = 0;
  const record = message as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (Array.isArray(value) && value.length > 0 && value.every((e) => typeof e === 'object' && e !== null && 'name' in e)) {
      const entries = value as Array<{ name: string }>;
      const sorted = [
        ...entries.filter((e) => isArrayIndex(e.name)).sort((x, y) => Number(x.name) - Number(y.name)),
        ...entries.filter((e) => !isArrayIndex(e.name)),
      ];
      if (sorted.some((e, i) => e !== entries[i])) moved++;
      record[key] = sorted;
    }
    moved += orderLikeJsObjects(record[key]);
  }
  return moved;
}

t.test('goYaml renders JSON values as gnostic stores them (go-yaml v3 Marshal)', async (t) => {
  t.equal(goYaml('get'), 'get\n');
  t.equal(goYaml({ group: '', kind: 'ConfigMap', version: 'v1' }), 'group: ""\nkind: ConfigMap\nversion: v1\n');
  t.equal(goYaml(['port', 'protocol']), '- port\n- protocol\n');
  t.equal(
    goYaml([{ discriminator: 'type', 'fields-to-discriminateBy': { limited: 'Limited' } }]),
    '- discriminator: type\n  fields-to-discriminateBy:\n    limited: Limited\n',
  );
  t.equal(goYaml({ keys: ['a', 'b'], nested: { deeper: { x: 1 } } }), 'keys:\n    - a\n    - b\nnested:\n    deeper:\n        x: 1\n');
  t.equal(goYaml([{ list: ['a'] }]), '- list:\n    - a\n');
  t.equal(goYaml([['a', 'b'], 'c']), '- - a\n  - b\n- c\n');
  t.equal(goYaml({ empty: {}, none: [], nothing: null, yes: true }), 'empty: {}\nnone: []\nnothing: null\nyes: true\n');
  t.equal(goYaml('true'), '"true"\n', 'a string YAML would read as a bool is double-quoted');
  t.equal(goYaml('12'), '"12"\n');
  t.equal(goYaml('1.5e3'), '"1.5e3"\n');
  t.equal(goYaml('2024-01-02'), '"2024-01-02"\n', 'timestamps too');
  t.equal(goYaml('yes'), 'yes\n', 'YAML 1.1 booleans stay plain in v3');
  t.equal(goYaml('merge,retainKeys'), 'merge,retainKeys\n');
  t.equal(goYaml('- x'), "'- x'\n", 'indicators need single quotes');
  t.equal(goYaml('a: b'), "'a: b'\n");
  t.equal(goYaml(" it's "), "' it''s '\n");
  t.equal(goYaml('tab\there'), '"tab\\there"\n', 'control characters need double quotes');
  t.equal(goYaml('line one\nline two'), '|-\n    line one\n    line two\n');
  t.equal(goYaml({ text: 'a\nb\n' }), 'text: |\n    a\n    b\n');
  t.equal(goYaml(7), '7\n');
});

t.test('the message table matches OpenAPIv2.proto field for field', async (t) => {
  if (!existsSync(PROTO)) {
    t.comment(`skipped: ${PROTO} is absent (reference data lives in ../shared/k8s-reference)`);
    t.pass('nothing to compare');
    return;
  }
  const root = loadGnostic();
  const namespace = root.lookup('openapi.v2') as protobuf.Namespace;
  const protoMessages = namespace.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
  t.same(Object.keys(GNOSTIC_V2_MESSAGES).sort(), protoMessages.map((m) => m.name).sort(), 'the same messages');
  const wireOf = (type: string): number => (type === 'bool' || type === 'int64' ? 0 : type === 'double' ? 1 : 2);
  for (const message of protoMessages) {
    const ours = GNOSTIC_V2_MESSAGES[message.name];
    if (!ours) continue;
    const theirs = message.fieldsArray.map((f) => ({
      no: f.id,
      name: f.name,
      type: f.resolvedType ? f.resolvedType.fullName.replace(/^\.(openapi\.v2\.)?/, '') : f.type,
      wire: wireOf(f.resolvedType ? 'message' : f.type),
      repeated: f.repeated,
      oneof: f.partOf?.name,
    }));
    const mine = ours.fields.map((f) => ({ no: f.no, name: f.name, type: f.type, wire: f.wire, repeated: f.repeated, oneof: f.oneof }));
    t.same(mine, theirs, `${message.name}: numbers, names, types, wire types, repeated, oneof`);
    t.ok(ours.fields.every((f, i) => i === 0 || (ours.fields[i - 1] as GnosticField).no < f.no), `${message.name}: fields in number order`);
  }
  // Every message a field refers to is in the table, so the encoder never meets an unknown one.
  for (const [name, message] of Object.entries(GNOSTIC_V2_MESSAGES)) {
    for (const f of message.fields) {
      if (['string', 'bool', 'double', 'int64', 'google.protobuf.Any'].includes(f.type)) continue;
      t.ok(GNOSTIC_V2_MESSAGES[f.type], `${name}.${f.name}: ${f.type} is in the table`);
      if (f.pattern !== undefined) t.same(GNOSTIC_V2_MESSAGES[f.type]?.fields.map((e) => e.name), ['name', 'value'], `${name}.${f.name}: entries are Named*`);
    }
  }
});

t.test('golden vector: the encoder reproduces the bytes kube-apiserver v1.21.2 served', async (t) => {
  if (!existsSync(PROTO) || !existsSync(GOLDEN)) {
    t.comment(`skipped: ${GOLDEN} or ${PROTO} is absent (reference data lives in ../shared/k8s-reference)`);
    t.pass('nothing to compare');
    return;
  }
  const root = loadGnostic();
  const Document = root.lookupType('openapi.v2.Document');
  const golden = readFileSync(GOLDEN);
  const decoded = decodeDocument(root, golden);
  const swagger = messageToJson('Document', decoded) as JsonObject;
  t.equal((swagger.info as JsonObject).version, 'v1.21.2');

  const started = performance.now();
  const ours = Buffer.from(encodeGnosticV2(swagger));
  t.comment(`encoded ${ours.length} bytes in ${(performance.now() - started).toFixed(0)} ms (golden: ${golden.length})`);
  t.equal(ours.length, golden.length, 'same length');

  // A JS object iterates array-index keys ("200", "401") ascending, whatever order the golden
  // had them in (Go map order). So compare with the golden's message with only those entries
  // reordered, re-encoded by protobufjs — which reproduces the untouched golden exactly.
  const message = Document.decode(golden);
  t.ok(Buffer.from(Document.encode(message).finish()).equals(golden), 'protobufjs re-encodes the golden byte for byte');
  const moved = orderLikeJsObjects(message);
  const expected = Buffer.from(Document.encode(message).finish());
  t.comment(`${moved} response lists reordered to JS key order`);
  t.ok(ours.equals(expected), 'byte-identical to the golden (response codes in JS key order)');
  if (!ours.equals(expected)) {
    let at = 0;
    while (ours[at] === expected[at]) at++;
    t.comment(`first difference at byte ${at}`);
  }
  t.equal(firstDifference(messageToJson('Document', decodeDocument(root, ours)), swagger), undefined, 'decodes to the same document');
});

t.test('oneof alternatives and maps the golden lacks round-trip', async (t) => {
  if (!existsSync(PROTO)) {
    t.comment(`skipped: ${PROTO} is absent`);
    t.pass('nothing to compare');
    return;
  }
  const swagger: JsonObject = {
    swagger: '2.0',
    info: { title: 'T', version: 'v', contact: { name: 'n', 'x-c': 1 }, license: { name: 'Apache-2.0' } },
    basePath: '/',
    schemes: ['https'],
    paths: {
      'x-paths': { any: ['thing'] },
      '/a': {
        parameters: [{ $ref: '#/parameters/p' }],
        get: {
          parameters: [
            { in: 'header', name: 'h', type: 'string' },
            { in: 'formData', name: 'f', type: 'file', allowEmptyValue: true },
            { in: 'path', name: 'p', required: true, type: 'integer', maximum: 10.5, minimum: -1, enum: [1, 2] },
            { in: 'query', name: 'q', type: 'array', items: { type: 'string', items: { type: 'integer' } }, collectionFormat: 'multi', maxItems: 3 },
          ],
          responses: {
            '200': { description: 'ok', schema: { type: 'file' }, headers: { 'X-A': { type: 'integer', format: 'int64' } }, examples: { 'application/json': { a: 1 } } },
            default: { $ref: '#/responses/r' },
            'x-r': false,
          },
          deprecated: true,
          security: [{ oauth: ['read', 'write'] }],
        },
      },
    },
    definitions: {
      S: {
        type: ['string', 'null'],
        additionalProperties: false,
        allOf: [{ $ref: '#/definitions/T' }, { properties: { 'x-not-an-extension': { type: 'boolean' } } }],
        items: [{ type: 'string' }, { type: 'integer' }],
        default: { k: 'v' },
        example: 'e',
        readOnly: true,
        xml: { name: 'x', wrapped: true },
        minLength: 1,
        maxProperties: 4,
        discriminator: 'kind',
      },
      T: { additionalProperties: { type: 'string' } },
    },
    parameters: { p: { in: 'body', name: 'b', schema: { $ref: '#/definitions/S' } } },
    responses: { r: { description: 'r' } },
    securityDefinitions: {
      basic: { type: 'basic' },
      key: { type: 'apiKey', name: 'authorization', in: 'header' },
      oauth: { type: 'oauth2', flow: 'accessCode', authorizationUrl: 'https://a', tokenUrl: 'https://t', scopes: { read: 'r' } },
      implicit: { type: 'oauth2', flow: 'implicit', authorizationUrl: 'https://a', scopes: {} },
      password: { type: 'oauth2', flow: 'password', tokenUrl: 'https://t', scopes: {} },
      application: { type: 'oauth2', flow: 'application', tokenUrl: 'https://t', scopes: {} },
    },
    tags: [{ name: 'tag', externalDocs: { url: 'https://d' } }],
    'x-top': [{ a: '' }],
  };
  const root = loadGnostic();
  const decoded = decodeDocument(root, encodeGnosticV2(swagger));
  t.equal(firstDifference(messageToJson('Document', decoded), swagger), undefined, 'decodes to the same document');
  const security = (decoded.security_definitions as { additional_properties: Array<{ name: string; value: Decoded }> }).additional_properties;
  t.same(security.map((s) => [s.name, Object.keys(s.value)[0]]), [
    ['basic', 'basic_authentication_security'],
    ['key', 'api_key_security'],
    ['oauth', 'oauth2_access_code_security'],
    ['implicit', 'oauth2_implicit_security'],
    ['password', 'oauth2_password_security'],
    ['application', 'oauth2_application_security'],
  ]);
  const definitions = (decoded.definitions as { additional_properties: Array<{ value: Decoded }> }).additional_properties;
  t.same(definitions[0]?.value.additional_properties, { boolean: false }, 'additionalProperties: false is written (oneof)');
  const zero = decodeDocument(root, encodeGnosticV2({ definitions: { Z: { minimum: 0, readOnly: false, title: '' } } }));
  t.same(zero.definitions, { additional_properties: [{ name: 'Z', value: {} }] }, 'proto3 defaults are left out, as protobuf-go does');
});

t.test("kubemu's v2 document: served paths only, v2 shapes of the real server, and a protobuf that decodes back to it", async (t) => {
  const started = performance.now();
  const json = openapiV2Json(VERSION);
  const protobufBytes = openapiV2Protobuf(VERSION);
  t.comment(`first build: ${(performance.now() - started).toFixed(0)} ms (${JSON.stringify(openapiV2Timings())}); JSON ${json.body.length} bytes, protobuf ${protobufBytes.body.length} bytes`);
  t.equal(openapiV2Json(VERSION), json, 'JSON bytes cached');
  t.equal(openapiV2Protobuf(VERSION), protobufBytes, 'protobuf bytes cached');
  t.equal(protobufBytes.etag, json.etag, 'one etag for both formats, as kube-openapi');

  const doc = openapiV2Document(VERSION);
  t.same(JSON.parse(json.body.toString('utf8')), doc, 'the JSON bytes are the document');
  t.same(doc.info, { title: 'Kubernetes', version: VERSION });
  t.equal(doc.swagger, '2.0');
  t.same(doc.security, [{ BearerToken: [] }]);
  t.same(doc.securityDefinitions, { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } });
  t.notOk(JSON.stringify(doc).includes('#/components/'), 'every ref points into #/definitions/');

  // Paths: exactly the served resources (and their group-versions' discovery endpoints).
  const paths = doc.paths as Record<string, JsonObject>;
  const definitions = doc.definitions as Record<string, JsonObject>;
  for (const path of Object.keys(paths)) {
    const parsed = parseApiPath(path);
    const apiVersion = parsed ? (parsed.group ? `${parsed.group}/${parsed.version}` : parsed.version) : '';
    const plural = parsed?.target?.plural;
    if (plural === undefined) t.ok(parsed && SERVED_RESOURCES[apiVersion], `${path}: discovery of a served group-version`);
    else if (!SERVED_RESOURCES[apiVersion]?.includes(plural)) t.fail(`${path}: not a served resource`);
  }
  t.ok(paths['/api/v1/namespaces/{namespace}/configmaps/{name}'] && paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']);
  t.notOk(paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'], 'unserved subresource left out');

  // Every PATCH: GVK, fieldValidation, a body, strategic merge for built-ins.
  let patches = 0;
  for (const [path, item] of Object.entries(paths)) {
    const patch = item.patch as JsonObject | undefined;
    if (!patch) continue;
    patches++;
    const parameters = patch.parameters as JsonObject[];
    if (!isObject(patch['x-kubernetes-group-version-kind'])) t.fail(`${path}: PATCH without x-kubernetes-group-version-kind`);
    if (!parameters.some((p) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string')) t.fail(`${path}: PATCH without fieldValidation`);
    if (parameters[0]?.in !== 'body' || (parameters[0].schema as JsonObject).$ref !== '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch') t.fail(`${path}: PATCH body`);
    if (!(patch.consumes as string[]).includes('application/strategic-merge-patch+json')) t.fail(`${path}: PATCH consumes`);
  }
  t.ok(patches > 50, `${patches} PATCH operations checked`);
  const get = paths['/api/v1/namespaces/{namespace}/configmaps/{name}']?.get as JsonObject;
  t.same(get.consumes, ['*/*']);
  t.same(get.produces, ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
  t.same((get.responses as JsonObject)['200'], { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } });
  t.equal(get['x-kubernetes-action'], 'get');
  t.same(definitions['io.k8s.api.core.v1.ConfigMap']?.['x-kubernetes-group-version-kind'], [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
  const deleteOptions = definitions['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']?.['x-kubernetes-group-version-kind'] as JsonObject[];
  t.ok(deleteOptions.some((g) => g.group === 'apps') && deleteOptions.some((g) => g.group === ''), 'shared kinds list every group');
  const ports = (definitions['io.k8s.api.core.v1.Container']?.properties as Record<string, JsonObject>).ports as JsonObject;
  t.same(ports, {
    description: ports.description as string,
    items: { $ref: '#/definitions/io.k8s.api.core.v1.ContainerPort' },
    type: 'array',
    'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'containerPort',
    'x-kubernetes-patch-strategy': 'merge',
  }, 'patch and list metadata kept on properties');

  if (existsSync(SWAGGER)) {
    // The shapes a real v2 document has: IntOrString and Quantity, and every property's type,
    // format and reference where both documents define it.
    const reference = (JSON.parse(readFileSync(SWAGGER, 'utf8')) as JsonObject).definitions as Record<string, JsonObject>;
    for (const name of ['io.k8s.apimachinery.pkg.util.intstr.IntOrString', 'io.k8s.apimachinery.pkg.api.resource.Quantity']) {
      const { description: _ours, ...ours } = definitions[name] as JsonObject;
      const { description: _theirs, ...theirs } = reference[name] as JsonObject;
      t.same(ours, theirs, `${name} has the v2 form`);
    }
    const shape = (s: Json | undefined): Json => {
      if (!isObject(s ?? null)) return null;
      const o = s as JsonObject;
      return { type: o.type ?? null, format: o.format ?? null, ref: o.$ref ?? null, items: shape(o.items), additionalProperties: typeof o.additionalProperties === 'boolean' ? o.additionalProperties : shape(o.additionalProperties) };
    };
    let compared = 0;
    const mismatches: string[] = [];
    for (const [name, ours] of Object.entries(definitions)) {
      const theirs = reference[name];
      if (!theirs) continue;
      if (firstDifference(shape(ours), shape(theirs))) mismatches.push(name);
      for (const [property, schema] of Object.entries((ours.properties as JsonObject) ?? {})) {
        const other = (theirs.properties as JsonObject | undefined)?.[property];
        if (other === undefined) continue;
        // A reference to a kind renamed since (PVC spec.resources → VolumeResourceRequirements in 1.29) is drift, not a shape.
        const renamed = JSON.stringify(other).match(/#\/definitions\/([^"]+)/g)?.some((ref) => !definitions[ref.slice('#/definitions/'.length)]);
        if (renamed) continue;
        compared++;
        if (firstDifference(shape(schema), shape(other))) mismatches.push(`${name}.${property}`);
      }
    }
    t.same(mismatches, [], `${compared} properties have the type, format and reference of the real v2 document`);
  } else {
    t.comment(`skipped the comparison with ${SWAGGER}: absent`);
  }

  if (existsSync(PROTO)) {
    const decoded = messageToJson('Document', decodeDocument(loadGnostic(), protobufBytes.body));
    t.equal(firstDifference(decoded, doc), undefined, 'the protobuf decodes back to the document');
  } else {
    t.comment(`skipped the protobuf round trip: ${PROTO} is absent`);
  }
});
