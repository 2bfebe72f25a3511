/**
 * Writing answers: objects and stored bytes as JSON (or YAML when the client asks only for
 * it), lists assembled from stored bytes without re-encoding, and Status bodies for errors.
 * Owns: response encoding. Must not: decide what to answer.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { stringify as toYaml } from 'yaml';
import type { Status } from '../api/types.js';

const JSON_TYPE = 'application/json';
const YAML_TYPE = 'application/yaml';

/** True when the client's Accept prefers YAML over JSON. */
function wantsYaml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  if (!accept.includes(YAML_TYPE)) return false;
  const first = accept.split(',')[0]!.split(';')[0]!.trim();
  return first === YAML_TYPE || !accept.includes(JSON_TYPE);
}

/** Sends an object (or its already-encoded JSON bytes) with `code`. */
export function sendObject(request: FastifyRequest, reply: FastifyReply, code: number, body: unknown, bytes?: Uint8Array): FastifyReply {
  reply.code(code);
  if (wantsYaml(request)) {
    const value = bytes ? JSON.parse(Buffer.from(bytes).toString('utf8')) : body;
    return reply.type(YAML_TYPE).send(toYaml(value));
  }
  reply.type(JSON_TYPE);
  return reply.send(bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : JSON.stringify(body));
}

/** Assembles `{kind, apiVersion, metadata, items}` from stored item bytes, encoding each item once. */
export function listBytes(kind: string, apiVersion: string, metadata: Record<string, unknown>, items: readonly Uint8Array[]): Buffer {
  const head = Buffer.from(`{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(metadata)},"items":[`);
  const parts: Buffer[] = [head];
  items.forEach((item, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(Buffer.from(item.buffer, item.byteOffset, item.byteLength));
  });
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

/** Sends a Status (failure or success) with its code, and Retry-After when the Status asks for one. */
export function sendStatus(reply: FastifyReply, status: Status): FastifyReply {
  const retryAfter = status.details?.retryAfterSeconds;
  if (retryAfter) reply.header('Retry-After', String(retryAfter));
  return reply.code(status.code).type(JSON_TYPE).send(JSON.stringify(status));
}
