/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), as kubectl 1.32+
 * and client-go typed clients send them, decoded into the JSON form of the object.
 *
 * A body is the magic `k8s\0` followed by a runtime.Unknown message:
 *
 *   6b 38 73 00 | 0a <len> {0a "v1" 12 "ConfigMap"}   typeMeta {apiVersion, kind}
 *               | 12 <len> <ConfigMap message>         raw: the kind's own message
 *               | 1a "" 22 ""                          contentEncoding, contentType (unused)
 *
 * Errors carry kube-apiserver's wording: its protobuf serializer's errors (bad magic, Go's
 * Unmarshal errors) wrapped by the create/update handlers' transformDecodeError — "the object
 * provided is unrecognized (must be of type X): ... (<first 30 bytes in hex>)" while the
 * envelope cannot be read, "<Kind> in version "<v>" cannot be handled as a X: ..." after.
 * Owns: the envelope, kind → message lookup, those errors. Must not: check the kind against the
 * URL beyond defaulting (the caller does that as for JSON) or know HTTP.
 */
import { badRequest, StatusError } from '../../api/errors.js';
import { decodeMessage, type DecodeContext } from './decode.js';
import { MessageRegistry } from './table.js';
import { ALL_TABLES, ANY_VERSION_KINDS, KIND_MESSAGES } from './tables/index.js';
import { guarded, ProtoError } from './wire.js';

/** The media type of Kubernetes protobuf bodies. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** The 4-byte prefix of every Kubernetes protobuf body: `k8s` and encoding 0 (runtime.Unknown). */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** What the URL says the body is: used to default a missing apiVersion/kind and to word errors. */
export interface ProtobufExpectedKind {
  group: string;
  version: string;
  kind: string;
}

/** A decoded body. */
export interface DecodedProtobuf {
  /** apiVersion of the envelope (defaulted from `expected` when empty). */
  apiVersion: string;
  /** kind of the envelope (defaulted from `expected` when empty). */
  kind: string;
  /** The object in its JSON form, with apiVersion and kind set. */
  object: Record<string, unknown>;
  /** Paths of fields the tables do not know (`spec.template.#99`); upstream ignores them too. */
  unknownFields: string[];
}

let registry: MessageRegistry | undefined;
const tables = (): MessageRegistry => (registry ??= new MessageRegistry(ALL_TABLES));

/** `apiVersion/kind` pairs kubemu decodes (`v1/ConfigMap`, `apps/v1/Deployment`); DeleteOptions is also accepted under any apiVersion. */
export function protobufKinds(): string[] {
  return Object.keys(KIND_MESSAGES).sort();
}

/** The short message name for an apiVersion/kind, if covered. */
function messageFor(apiVersion: string, kind: string): string | undefined {
  const direct = KIND_MESSAGES[`${apiVersion}/${kind}`];
  if (direct || !ANY_VERSION_KINDS.includes(kind)) return direct;
  const entry = Object.entries(KIND_MESSAGES).find(([key]) => key.endsWith(`/${kind}`));
  return entry?.[1];
}

/** upstream summarizeData: the first 30 bytes, hex unless the body looks like JSON. */
function summarize(body: Buffer): string {
  if (body.length === 0) return '<empty>';
  const text = body[0] === 0x7b ? (b: Buffer) => b.toString('utf8') : (b: Buffer) => b.toString('hex');
  return body.length > 30 ? `${text(body.subarray(0, 30))} ...` : text(body);
}

/** Go's %#v of a runtime.TypeMeta. */
const typeMetaString = (apiVersion: string, kind: string): string =>
  `runtime.TypeMeta{APIVersion:${JSON.stringify(apiVersion)}, Kind:${JSON.stringify(kind)}}`;

/** Splits an apiVersion into group and version (`v1` → ['', 'v1']). */
function splitApiVersion(apiVersion: string): [string, string] {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

/**
 * Decodes a Kubernetes protobuf body into the kind's JSON form.
 * Throws a 400 StatusError with kube-apiserver's wording when the body is not protobuf, is
 * truncated or has a wrong wire type, and a 415 when the kind is one kubemu has no table for.
 */
export function decodeProtobufObject(body: Buffer, expected?: ProtobufExpectedKind): DecodedProtobuf {
  const expectedKind = expected?.kind ?? 'Object';
  const unrecognized = (message: string): StatusError =>
    badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): ${message} (${summarize(body)})`);
  if (body.length === 0) throw unrecognized('empty data');
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw unrecognized(`provided data does not appear to be a protobuf message, expected prefix [${[...MAGIC].join(' ')}]`);
  }
  if (body.length === MAGIC.length) throw unrecognized('empty body');

  const unknownFields: string[] = [];
  const ctx: DecodeContext = { registry: tables(), unknownFields, rawBytes: true };
  let envelope: Record<string, unknown>;
  try {
    envelope = guarded(() => decodeMessage(body.subarray(MAGIC.length), 'runtime.Unknown', ctx));
  } catch (err) {
    if (err instanceof ProtoError) throw unrecognized(err.message);
    throw err;
  }
  unknownFields.length = 0; // unknown envelope fields are not the object's

  // copyKindDefaults: kind, then group+version together, from the URL's kind.
  const sentApiVersion = typeof envelope.apiVersion === 'string' ? envelope.apiVersion : '';
  const sentKind = typeof envelope.kind === 'string' ? envelope.kind : '';
  let [group, version] = splitApiVersion(sentApiVersion);
  const kind = sentKind || expected?.kind || '';
  if (!version && expected?.version) [group, version] = [expected.group, expected.version];
  if (!kind) throw unrecognized(`Object 'Kind' is missing in '${typeMetaString(sentApiVersion, sentKind)}'`);
  if (!version) throw unrecognized(`Object 'apiVersion' is missing in '${typeMetaString(sentApiVersion, sentKind)}'`);
  const apiVersion = group ? `${group}/${version}` : version;

  const message = messageFor(apiVersion, kind);
  if (!message) {
    throw new StatusError(415, 'UnsupportedMediaType', `kubemu cannot decode ${apiVersion}, Kind=${kind} from ${PROTOBUF_MEDIA_TYPE}; send it as application/json`);
  }
  const raw = envelope.raw instanceof Buffer ? envelope.raw : Buffer.alloc(0);
  let object: Record<string, unknown>;
  try {
    object = guarded(() => decodeMessage(raw, message, { ...ctx, rawBytes: false }));
  } catch (err) {
    if (err instanceof ProtoError) throw badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${expectedKind}: ${err.message}`);
    throw err;
  }
  return { apiVersion, kind, object: { apiVersion, kind, ...object }, unknownFields };
}
