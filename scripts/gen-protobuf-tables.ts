/**
 * `node --import tsx scripts/gen-protobuf-tables.ts --go-api <dir> --go-apimachinery <dir> [--proto <dir>]`
 * generates kubemu's protobuf field tables, `src/codec/protobuf/tables/`, for the kinds in
 * ROOTS and every message they reach.
 *
 * Inputs, read at generation time only:
 * - `--proto` (default `../shared/k8s-reference/proto`): the `generated.proto` files of k8s.io
 *   v0.36.0: message names, field numbers, scalar kinds, JSON names, repeated/map;
 * - `--go-api`, `--go-apimachinery`: the Go sources of k8s.io/api and k8s.io/apimachinery at the
 *   same version (v0.36.0): what a .proto does not say and the JSON form depends on: pointer
 *   fields, omitempty, `json:",inline"` embedding, Go field names, named slices. The checked-in
 *   tables were generated from `git archive v0.36.0` of github.com/kubernetes/api (545bb975)
 *   and github.com/kubernetes/apimachinery (debe1eba, its `pkg/` folder).
 * Writes one file per API group-version (apimachinery's packages share one file) plus
 * `kinds.ts` (apiVersion/kind → message) and `index.ts`. Rows are written in the format of
 * src/codec/protobuf/table.ts; no .proto text or comment is copied.
 * Owns: turning upstream definitions into tables. Must not: be imported by src/.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { shortMessageName, type SpecialJson } from '../src/codec/protobuf/table.js';
import { readGoPackage, type GoField, type GoPackage } from './protobuf/go-types.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(REPO, 'src', 'codec', 'protobuf', 'tables');

/** The kinds clients send as protobuf that kubemu decodes: apiVersion → [package, kinds]. */
const ROOTS: readonly (readonly [apiVersion: string, pkg: string, kinds: readonly string[]])[] = [
  ['v1', 'core.v1', ['Binding', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node', 'PersistentVolume',
    'PersistentVolumeClaim', 'Pod', 'PodTemplate', 'ReplicationController', 'ResourceQuota', 'Secret', 'Service', 'ServiceAccount']],
  ['admissionregistration.k8s.io/v1', 'admissionregistration.v1', ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
    'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']],
  ['apps/v1', 'apps.v1', ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet']],
  ['authentication.k8s.io/v1', 'authentication.v1', ['SelfSubjectReview', 'TokenRequest', 'TokenReview']],
  ['authentication.k8s.io/v1beta1', 'authentication.v1beta1', ['SelfSubjectReview']],
  ['authentication.k8s.io/v1alpha1', 'authentication.v1alpha1', ['SelfSubjectReview']],
  ['authorization.k8s.io/v1', 'authorization.v1', ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview',
    'SubjectAccessReview']],
  ['autoscaling/v1', 'autoscaling.v1', ['HorizontalPodAutoscaler', 'Scale']],
  ['autoscaling/v2', 'autoscaling.v2', ['HorizontalPodAutoscaler']],
  ['batch/v1', 'batch.v1', ['CronJob', 'Job']],
  ['certificates.k8s.io/v1', 'certificates.v1', ['CertificateSigningRequest']],
  ['coordination.k8s.io/v1', 'coordination.v1', ['Lease']],
  ['discovery.k8s.io/v1', 'discovery.v1', ['EndpointSlice']],
  ['events.k8s.io/v1', 'events.v1', ['Event']],
  ['networking.k8s.io/v1', 'networking.v1', ['Ingress', 'IngressClass', 'IPAddress', 'NetworkPolicy', 'ServiceCIDR']],
  ['node.k8s.io/v1', 'node.v1', ['RuntimeClass']],
  ['policy/v1', 'policy.v1', ['Eviction', 'PodDisruptionBudget']],
  ['rbac.authorization.k8s.io/v1', 'rbac.v1', ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']],
  ['scheduling.k8s.io/v1', 'scheduling.v1', ['PriorityClass']],
  ['storage.k8s.io/v1', 'storage.v1', ['CSIDriver', 'CSINode', 'CSIStorageCapacity', 'StorageClass', 'VolumeAttachment',
    'VolumeAttributesClass']],
  ['meta.k8s.io/v1', 'meta.v1', ['DeleteOptions']],
];

/** Kinds a client may label with any apiVersion (metav1.AddToGroupVersion registers them in every group-version). */
const ANY_VERSION_KINDS = ['DeleteOptions'];

/** Messages decoded with the runtime.Unknown envelope, besides the kinds. */
const ENVELOPE = ['runtime.Unknown'];

/** Messages whose JSON form is not an object (custom MarshalJSON in Go). Named slices are found in the Go sources. */
const SPECIAL: Readonly<Record<string, SpecialJson>> = {
  'meta.v1.Time': 'time',
  'meta.v1.MicroTime': 'microtime',
  'meta.v1.Duration': 'duration',
  'meta.v1.FieldsV1': 'rawjson',
  'resource.Quantity': 'quantity',
  'intstr.IntOrString': 'intorstring',
  'runtime.RawExtension': 'rawjson',
};

interface Args {
  proto: string;
  goApi: string;
  goApimachinery: string;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const goApi = value('--go-api');
  const goApimachinery = value('--go-apimachinery');
  if (!goApi || !goApimachinery) {
    throw new Error('usage: gen-protobuf-tables.ts --go-api <k8s.io/api checkout> --go-apimachinery <k8s.io/apimachinery checkout> [--proto <dir>]');
  }
  return { proto: resolve(value('--proto') ?? join(REPO, '..', 'shared', 'k8s-reference', 'proto')), goApi: resolve(goApi), goApimachinery: resolve(goApimachinery) };
}

function loadProtos(dir: string): protobuf.Root {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.proto')) files.push(relative(dir, path));
    }
  };
  walk(dir);
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(dir, target);
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  return root;
}

/** The Go package directory of a proto package (`k8s.io.api.core.v1` → `<api>/core/v1`). */
function goDirOf(protoPackage: string, args: Args): string {
  if (protoPackage.startsWith('k8s.io.api.')) return join(args.goApi, ...protoPackage.slice('k8s.io.api.'.length).split('.'));
  return join(args.goApimachinery, ...protoPackage.slice('k8s.io.apimachinery.'.length).split('.'));
}

/** The message types reachable from `roots`, by short name. */
function reachable(root: protobuf.Root, roots: string[]): Map<string, protobuf.Type> {
  const byShort = new Map<string, protobuf.Type>();
  const all = new Map<string, protobuf.Type>();
  const collect = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) all.set(shortMessageName(nested.fullName), nested);
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) collect(nested);
    }
  };
  collect(root);
  const visit = (type: protobuf.Type): void => {
    const short = shortMessageName(type.fullName);
    if (byShort.has(short)) return;
    byShort.set(short, type);
    for (const field of type.fieldsArray) {
      const resolved = field.resolve().resolvedType;
      if (resolved instanceof protobuf.Type) visit(resolved);
      else if (resolved) throw new Error(`${type.fullName}.${field.name}: enums are not expected in Kubernetes protos`);
    }
  };
  for (const name of roots) {
    const type = all.get(name);
    if (!type) throw new Error(`no message ${name} in the protos`);
    visit(type);
  }
  return byShort;
}

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** One row of the table for `field`, with the Go facts of its struct field. */
function row(field: protobuf.Field, go: GoField | undefined): string {
  const resolved = field.resolvedType;
  const kind = resolved ? shortMessageName(resolved.fullName) : field.type;
  let type: string;
  if (field instanceof protobuf.MapField) type = `map<${field.keyType},${kind}>`;
  else if (field.repeated) type = `[]${kind}`;
  else type = go?.pointer ? `*${kind}` : kind;
  const inline = go?.inline ?? false;
  const keep = !field.repeated && !(field instanceof protobuf.MapField) && go !== undefined && !go.pointer && !go.omitempty && !inline;
  const flags = `${keep ? 'k' : ''}${inline ? 'i' : ''}`;
  // The JSON name is the Go json tag's; the proto field name differs from it in case only, for a
  // few fields (`Webhooks`, `uID`, `aPIGroup`).
  const json = go && go.jsonName && go.jsonName !== '-' && !inline ? go.jsonName : field.name;
  const goName = go && go.goName !== capitalize(json) ? go.goName : undefined;
  const parts = [String(field.id), quote(json), quote(type)];
  if (flags || goName) parts.push(quote(flags));
  if (goName) parts.push(quote(goName));
  return `[${parts.join(', ')}]`;
}

/** The file (without .ts) a message's rows go to. */
function fileOf(short: string): string {
  const pkg = short.slice(0, short.lastIndexOf('.'));
  if (/^(meta\.|resource$|intstr$|runtime)/.test(pkg)) return 'apimachinery';
  return pkg.replace(/\./g, '-');
}

const constOf = (file: string): string => file.toUpperCase().replace(/-/g, '_');

const HEADER = (what: string): string =>
  `/**\n * ${what}\n * Generated by scripts/gen-protobuf-tables.ts from the k8s.io v0.36.0 protos and Go types; do not edit.\n * Format: src/codec/protobuf/table.ts.\n */\n`;

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const root = loadProtos(args.proto);
  const kindRoots = ROOTS.flatMap(([, pkg, kinds]) => kinds.map((kind) => `${pkg}.${kind}`));
  const types = reachable(root, [...kindRoots, ...ENVELOPE]);
  const goPackages = new Map<string, GoPackage>();
  const goPackageOf = (type: protobuf.Type): GoPackage => {
    const pkg = type.fullName.slice(1, type.fullName.lastIndexOf('.'));
    let go = goPackages.get(pkg);
    if (!go) goPackages.set(pkg, (go = readGoPackage(goDirOf(pkg, args))));
    return go;
  };

  const files = new Map<string, { messages: string[]; json: string[] }>();
  const warnings: string[] = [];
  for (const short of [...types.keys()].sort()) {
    const type = types.get(short)!;
    const go = goPackageOf(type);
    const struct = go.structs.get(type.name);
    const special = SPECIAL[short] ?? (go.namedSlices.has(type.name) ? 'list' : undefined);
    if (!struct && !special) warnings.push(`${short}: no Go struct found; rows use omitempty defaults`);
    const rows = type.fieldsArray.sort((a, b) => a.id - b.id).map((field) => {
      const goField = struct?.get(field.id);
      if (goField && goField.jsonName && !goField.inline && goField.jsonName.toLowerCase() !== field.name.toLowerCase() && goField.jsonName !== '-') {
        warnings.push(`${short}.${field.name}: Go JSON name is ${goField.jsonName}`);
      }
      return `    ${row(field, goField)},`;
    });
    const file = fileOf(short);
    const entry = files.get(file) ?? { messages: [], json: [] };
    entry.messages.push(`  ${quote(short)}: [\n${rows.join('\n')}\n  ],`);
    if (special) entry.json.push(`  ${quote(short)}: ${quote(special)},`);
    files.set(file, entry);
  }

  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  for (const [file, { messages, json }] of files) {
    const name = constOf(file);
    writeFileSync(
      join(OUT, `${file}.ts`),
      `${HEADER(`Protobuf field tables: ${file === 'apimachinery' ? 'k8s.io/apimachinery (meta/v1, resource, intstr, runtime)' : file.replace('-', '/')}.`)}` +
        `import type { FieldRow, MessageTables, SpecialJson } from '../table.js';\n\n` +
        `const messages: Record<string, readonly FieldRow[]> = {\n${messages.join('\n')}\n};\n\n` +
        `const json: Record<string, SpecialJson> = {${json.length ? `\n${json.join('\n')}\n` : ''}};\n\n` +
        `/** Tables of ${file}. */\nexport const ${name}: MessageTables = { messages, json };\n`,
    );
  }
  const kindLines = ROOTS.flatMap(([apiVersion, pkg, kinds]) => kinds.map((kind) => `  ${quote(`${apiVersion}/${kind}`)}: ${quote(`${pkg}.${kind}`)},`));
  writeFileSync(
    join(OUT, 'kinds.ts'),
    `${HEADER('The kinds kubemu decodes from protobuf: `apiVersion/kind` → message.')}` +
      `/** \`apiVersion/kind\` → short message name. */\nexport const KIND_MESSAGES: Readonly<Record<string, string>> = {\n${kindLines.join('\n')}\n};\n\n` +
      `/** Kinds accepted under any apiVersion (registered in every group-version upstream). */\n` +
      `export const ANY_VERSION_KINDS: readonly string[] = [${ANY_VERSION_KINDS.map(quote).join(', ')}];\n`,
  );
  const sorted = [...files.keys()].sort();
  writeFileSync(
    join(OUT, 'index.ts'),
    `${HEADER('Every protobuf field table kubemu has.')}` +
      `import type { MessageTables } from '../table.js';\n` +
      sorted.map((f) => `import { ${constOf(f)} } from './${f}.js';\n`).join('') +
      `\nexport { ANY_VERSION_KINDS, KIND_MESSAGES } from './kinds.js';\n\n` +
      `/** All tables, one per API group-version. */\nexport const ALL_TABLES: readonly MessageTables[] = [${sorted.map(constOf).join(', ')}];\n`,
  );
  for (const w of warnings) console.warn(`warning: ${w}`);
  console.log(`wrote ${types.size} messages in ${files.size} files to ${relative(REPO, OUT)}`);
}

main();
