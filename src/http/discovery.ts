/**
 * API discovery: the legacy documents (`/api`, `/apis`, `/apis/<g>`, `/api/v1`,
 * `/apis/<g>/<v>`) and aggregated discovery (`apidiscovery.k8s.io` v2 and v2beta1, chosen by
 * Accept, answered with exactly that media type), built from the registry's resource table and
 * encoded once until the table changes.
 * Owns: discovery documents and their negotiation. Must not: hold resource rules.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathNotFound } from '../api/errors.js';
import { apiVersionOf, type ResourceInfo } from '../api/resource.js';
import type { DiscoveryPath } from './request-info.js';
import { compareKubeAwareVersions } from '../registry/crd/versions.js';

/** A served group with its versions in preference order. */
export interface ServedGroup {
  name: string;
  versions: string[];
}

type Json = Record<string, unknown>;

interface Encoded {
  body: Buffer;
  etag: string;
}

const AGGREGATED = ['v2', 'v2beta1'] as const;
type AggregatedVersion = (typeof AGGREGATED)[number];

function encode(value: unknown): Encoded {
  const body = Buffer.from(JSON.stringify(value));
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
}

/** Discovery documents over a fixed resource table; call `invalidate()` when the table changes. */
export class Discovery {
  readonly #resources: () => readonly ResourceInfo[];
  #cache = new Map<string, Encoded>();

  constructor(resources: () => readonly ResourceInfo[]) {
    this.#resources = resources;
  }

  /** Forgets every encoded document (a CRD came or went). */
  invalidate(): void {
    this.#cache.clear();
  }

  /** Groups in discovery order: each group's versions ordered as given by the table. */
  groups(): ServedGroup[] {
    const groups = new Map<string, string[]>();
    for (const r of this.#resources()) {
      const versions = groups.get(r.group) ?? [];
      if (!versions.includes(r.version)) versions.push(r.version);
      groups.set(r.group, versions);
    }
    // Versions by Kubernetes version priority (v2 > v1 > v1beta1), as kube-apiserver orders a
    // group's versions; the first is the preferred one (matters for CRD groups whose CRDs differ).
    return [...groups].map(([name, versions]) => ({ name, versions: versions.sort(compareKubeAwareVersions) }));
  }

  /** Answers a discovery path. */
  handle(path: DiscoveryPath, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    if (path.document === 'legacy-root' || path.document === 'groups') {
      const aggregated = negotiateAggregated(request.headers.accept);
      if (aggregated) {
        const key = `agg:${path.document}:${aggregated}`;
        const doc = this.#cached(key, () => this.#aggregated(path.document === 'legacy-root', aggregated));
        return send(reply, request, doc, `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`);
      }
    }
    const key = `${path.document}:${path.group}/${path.version}`;
    const doc = this.#cached(key, () => this.#legacy(path, request));
    if (!doc) throw pathNotFound();
    return send(reply, request, doc, 'application/json');
  }

  #cached(key: string, build: () => unknown): Encoded | undefined {
    let doc = this.#cache.get(key);
    if (!doc) {
      const value = build();
      if (value === undefined) return undefined;
      doc = encode(value);
      if (!key.startsWith('legacy-root')) this.#cache.set(key, doc);
    }
    return doc;
  }

  #legacy(path: DiscoveryPath, request: FastifyRequest): unknown {
    const groups = this.groups();
    switch (path.document) {
      case 'legacy-root':
        return {
          kind: 'APIVersions',
          versions: groups.find((g) => g.name === '')?.versions ?? [],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: request.host }],
        };
      case 'groups':
        return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.filter((g) => g.name).map(groupEntry) };
      case 'group': {
        const group = groups.find((g) => g.name === path.group && g.name);
        return group && { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) };
      }
      case 'group-version': {
        const resources = this.#resources().filter((r) => r.group === path.group && r.version === path.version);
        if (!resources.length) return undefined;
        const doc: Json = { kind: 'APIResourceList' };
        if (path.group) doc.apiVersion = 'v1';
        doc.groupVersion = apiVersionOf(path);
        doc.resources = resources.flatMap(legacyResources).sort((a, b) => String(a.name).localeCompare(String(b.name)));
        return doc;
      }
    }
  }

  #aggregated(core: boolean, version: AggregatedVersion): unknown {
    const items = this.groups()
      .filter((g) => (core ? g.name === '' : g.name !== ''))
      .map((g) => ({
        metadata: g.name ? { name: g.name, creationTimestamp: null } : { creationTimestamp: null },
        versions: g.versions.map((v) => ({
          version: v,
          resources: this.#resources()
            .filter((r) => r.group === g.name && r.version === v)
            .sort((a, b) => a.plural.localeCompare(b.plural))
            .map(aggregatedResource),
          freshness: 'Current',
        })),
      }));
    return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
  }
}

function groupEntry(group: ServedGroup): Json {
  const versions = group.versions.map((version) => ({ groupVersion: `${group.name}/${version}`, version }));
  return { name: group.name, versions, preferredVersion: versions[0] };
}

function legacyResources(r: ResourceInfo): Json[] {
  const main: Json = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: [...r.verbs] };
  if (r.shortNames.length) main.shortNames = r.shortNames;
  if (r.categories.length) main.categories = r.categories;
  const subs = r.subresources.map((s) => {
    const entry: Json = { name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced };
    if (s.group !== r.group || s.version !== r.version) Object.assign(entry, { group: s.group, version: s.version });
    return Object.assign(entry, { kind: s.kind, verbs: [...s.verbs] });
  });
  return [main, ...subs];
}

function aggregatedResource(r: ResourceInfo): Json {
  const entry: Json = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: [...r.verbs],
  };
  if (r.shortNames.length) entry.shortNames = r.shortNames;
  if (r.categories.length) entry.categories = r.categories;
  if (r.subresources.length)
    entry.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group, version: s.version, kind: s.kind },
      verbs: [...s.verbs],
    }));
  return entry;
}

/** The aggregated-discovery version the Accept header asks for first, if any (JSON only). */
export function negotiateAggregated(accept: string | undefined): AggregatedVersion | undefined {
  for (const clause of (accept ?? '').split(',')) {
    const [type, ...params] = clause.split(';').map((s) => s.trim());
    if (type !== 'application/json') continue;
    const p = new Map(params.map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]));
    if (p.get('g') !== 'apidiscovery.k8s.io' || p.get('as') !== 'APIGroupDiscoveryList') continue;
    const v = p.get('v');
    if (v === 'v2' || v === 'v2beta1') return v;
  }
  return undefined;
}

function send(reply: FastifyReply, request: FastifyRequest, doc: Encoded | undefined, type: string): FastifyReply {
  if (!doc) throw pathNotFound();
  reply.header('Vary', 'Accept').header('ETag', doc.etag);
  if (request.headers['if-none-match'] === doc.etag) return reply.code(304).send();
  return reply.code(200).type(type).send(doc.body);
}
