/**
 * The etcd side of the etcd storage: connection options (endpoints, TLS, client certificates,
 * timeouts), the key layout under a prefix, and the translation of client failures into
 * StorageError('Unavailable'). Uses the `etcd3` npm client (gRPC over @grpc/grpc-js).
 * Owns: talking to etcd at the level of keys and bytes. Must not: know revisions policy or kinds.
 *
 * Key layout under a prefix P (default "/kubemu"); etcd orders keys by bytes, as LevelDB does:
 *
 *   P/e/<16-digit revision>   event record (kv-codec's event entry: type, key, value, prevValue)
 *   P/m/compacted             kubemu's compacted revision (decimal)
 *   P/m/format                format marker "kubemu-etcd/1"
 *   P/m/revision              kubemu's revision counter (decimal): the compare of every write
 *   P/o<key>                  object record (kv-codec's object record: revisions + value)
 */

import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import type { IOptions } from 'etcd3';
import { StorageError } from '../types.js';

/** Connection options of the etcd storage (the `--etcd-*` flags). */
export interface EtcdConnectionOptions {
  /** Client URLs, e.g. ["http://127.0.0.1:2379"]; https:// ones use TLS. */
  endpoints: string[];
  /** Key prefix, so that several kubemu clusters can share one etcd. Default "/kubemu". */
  prefix?: string;
  /** PEM file of the CA that signed etcd's serving certificate. */
  caFile?: string;
  /** PEM client certificate and key, for etcd's --client-cert-auth. */
  certFile?: string;
  keyFile?: string;
  /** Deadline of one etcd call in ms (a dead etcd answers Unavailable after it). Default 5000. */
  requestTimeoutMs?: number;
}

/** The default key prefix. */
export const DEFAULT_PREFIX = '/kubemu';
/** The marker written under P/m/format by the first kubemu to use a prefix. */
export const ETCD_FORMAT_MARKER = 'kubemu-etcd/1';

/** Keys of one kubemu cluster inside etcd (see the module header). */
export class EtcdKeys {
  readonly prefix: string;
  readonly revision: Buffer;
  readonly compacted: Buffer;
  readonly format: Buffer;
  /** Start and end of the range a feed watches: every event record and the compacted mark. */
  readonly feedStart: Buffer;
  readonly feedEnd: Buffer;
  readonly #objects: string;
  readonly #events: string;

  constructor(prefix: string) {
    this.prefix = prefix.replace(/\/+$/, '');
    this.#objects = `${this.prefix}/o`;
    this.#events = `${this.prefix}/e/`;
    this.revision = Buffer.from(`${this.prefix}/m/revision`);
    this.compacted = Buffer.from(`${this.prefix}/m/compacted`);
    this.format = Buffer.from(`${this.prefix}/m/format`);
    this.feedStart = Buffer.from(this.#events);
    this.feedEnd = Buffer.concat([this.compacted, Buffer.from([0])]);
  }

  /** The etcd key of an object key. */
  object(key: string): Buffer {
    return Buffer.from(this.#objects + key);
  }

  /** The object key of an etcd key from the object space. */
  objectKeyOf(etcdKey: Buffer): string {
    return etcdKey.toString('utf8', Buffer.byteLength(this.#objects));
  }

  /** The etcd key of the event record of `revision`, zero-padded so byte order is revision order. */
  event(revision: number): Buffer {
    return Buffer.from(this.#events + String(revision).padStart(16, '0'));
  }

  /** The revision of an event record's etcd key, or undefined for any other key. */
  revisionOfEvent(etcdKey: Buffer): number | undefined {
    const text = etcdKey.toString('utf8');
    return text.startsWith(this.#events) ? Number(text.slice(this.#events.length)) : undefined;
  }

  /** The etcd range end of every key starting with `start` (no UTF-8 key contains 0xFF). */
  static endOf(start: Buffer): Buffer {
    return Buffer.concat([start, Buffer.from([0xff])]);
  }
}

/** Opens an etcd3 client (it connects lazily, on the first call). */
export function connectEtcd(options: EtcdConnectionOptions): Etcd3 {
  if (options.endpoints.length === 0) throw new TypeError('etcd storage needs at least one endpoint');
  const timeout = options.requestTimeoutMs ?? 5000;
  const clientOptions: IOptions = {
    hosts: options.endpoints,
    dialTimeout: timeout,
    // Unary calls get a deadline so that a dead etcd is an error, never a hang; streams (watch) do not.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeout }),
  };
  if (options.caFile || options.certFile || options.keyFile) {
    if (!options.caFile) throw new TypeError('--etcd-certfile and --etcd-keyfile need --etcd-cafile');
    if (!options.certFile !== !options.keyFile) throw new TypeError('--etcd-certfile and --etcd-keyfile go together');
    clientOptions.credentials = {
      rootCertificate: readFileSync(options.caFile),
      ...(options.keyFile ? { privateKey: readFileSync(options.keyFile) } : {}),
      ...(options.certFile ? { certChain: readFileSync(options.certFile) } : {}),
    };
  }
  return new Etcd3(clientOptions);
}

/** A StorageError for a failed etcd call (connection refused, deadline, no leader, …). */
export function unavailable(key: string, err: unknown, endpoints: readonly string[]): StorageError {
  if (err instanceof StorageError) return err;
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*Resolution note:\s*$/, '');
  return new StorageError('Unavailable', key, `etcd ${endpoints.join(',')} is unavailable: ${message}`);
}

/**
 * A hint for the TLS failures gRPC reports in OpenSSL's words (appended to the first error a
 * store meets when it opens), or '' for any other failure.
 */
export function tlsHint(message: string, options: EtcdConnectionOptions): string {
  if (/unable to verify|self[- ]signed|unknown (authority|ca)|unable to get (local )?issuer/i.test(message)) {
    return `etcd's serving certificate is not signed by the CA of --etcd-cafile${options.caFile ? ` (${options.caFile})` : ''}`;
  }
  if (/alert (bad|unknown) certificate|certificate required|alert number (42|48|116)/i.test(message)) {
    return options.certFile
      ? `etcd refused the client certificate of --etcd-certfile (${options.certFile}): not signed by a CA etcd trusts`
      : 'etcd requires a client certificate: pass --etcd-certfile and --etcd-keyfile';
  }
  if (/altname|does not match certificate|Hostname\/IP does not match/i.test(message)) return 'etcd\'s serving certificate is not made for this endpoint\'s host';
  if (/wrong version number|packet length too long/i.test(message)) return 'the endpoint does not speak TLS (use http://) or speaks it where http:// was given';
  return '';
}

/** Parses a decimal counter value (absent: 0). */
export function decimal(bytes: Buffer | undefined): number {
  if (bytes === undefined || bytes.length === 0) return 0;
  const n = Number(bytes.toString('utf8'));
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`etcd counter holds ${JSON.stringify(bytes.toString('utf8'))}`);
  return n;
}
