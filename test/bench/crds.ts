/**
 * Benchmark: installing a large CRD set, the size of a popular operator's bundle (40 CRDs whose
 * schemas nest 6 levels deep with list-map arrays, int-or-string, enums, defaults, long
 * descriptions and CEL rules; several MB of JSON), into an in-process kubemu (memory storage,
 * requests through fastify's inject). Reports per CRD the time from POST to Established as the
 * API shows it, the time from Established to the first custom resource created (goal < 100 ms),
 * the whole install, heap and RSS growth, and the cost of the first discovery and OpenAPI reads
 * after the install. Floor, same run: POSTing ConfigMaps that carry the same bytes.
 * Prints JSON; asserts nothing. Run: node --expose-gc --import tsx test/bench/crds.ts [count]
 * (also part of `npm run bench`, `KUBEMU_BENCH_SKIP=crds` skips it).
 */
import { pathToFileURL } from 'node:url';
import { testServer } from '../helpers/server.js';

type Json = Record<string, unknown>;

const DESCRIPTION =
  'This field is described at length, as operators describe theirs: what it selects, which defaults apply when it is omitted, how it interacts with its siblings, and which release introduced it. ';

/** A deep object schema: `width` properties per level, `depth` levels, with the extensions operators use. */
function deepSchema(depth: number, width: number, seed: number): Json {
  const properties: Json = {};
  for (let i = 0; i < width; i++) {
    const name = `field${seed % 7}${i}`;
    const kind = (seed + i) % 6;
    if (depth > 0 && kind < 2) properties[name] = { ...deepSchema(depth - 1, Math.max(2, width - 1), seed * 31 + i), description: DESCRIPTION };
    else if (depth > 0 && kind === 2)
      properties[name] = {
        type: 'array',
        description: DESCRIPTION,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, ...((deepSchema(depth - 1, Math.max(2, width - 2), seed + i).properties as Json) ?? {}) } },
      };
    else if (kind === 3) properties[name] = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], description: DESCRIPTION };
    else if (kind === 4) properties[name] = { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'], default: 'IfNotPresent', description: DESCRIPTION };
    else properties[name] = { type: 'integer', format: 'int32', minimum: 0, description: DESCRIPTION };
  }
  return { type: 'object', properties };
}

function crd(i: number): Json {
  const kind = `Thing${i}`;
  const plural = `things${i}`;
  const spec = deepSchema(6, 7, i + 3);
  (spec.properties as Json).replicas = { type: 'integer', default: 1, minimum: 0 };
  spec['x-kubernetes-validations'] = [{ rule: 'self.replicas >= 0', message: 'replicas must not be negative' }];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.bench.kubemu.dev` },
    spec: {
      group: 'bench.kubemu.dev',
      scope: 'Namespaced',
      names: { plural, singular: `thing${i}`, kind, listKind: `${kind}List`, categories: ['bench'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' }],
          schema: { openAPIV3Schema: { type: 'object', properties: { spec, status: deepSchema(3, 5, i) } } },
        },
      ],
    },
  };
}

function quantiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => +sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
  return { p50: at(0.5), p99: at(0.99), max: +sorted[sorted.length - 1]!.toFixed(2) };
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Installs `count` generated CRDs and measures (see the module comment). */
export async function benchCrds(count = 40): Promise<Record<string, unknown>> {
  const crds = Array.from({ length: count }, (_, i) => crd(i));
  const bodies = crds.map((c) => JSON.stringify(c));
  const totalBytes = bodies.reduce((n, b) => n + b.length, 0);

  const s = await testServer();
  gc();
  const before = process.memoryUsage();

  // Floor: the same bytes through the same POST path, as ConfigMaps.
  const floorStart = performance.now();
  for (let i = 0; i < count; i++) {
    const res = await s.json('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `floor-${i}` }, data: { crd: bodies[i]! } });
    if (res.statusCode !== 201) throw new Error(`floor create: ${res.body.slice(0, 300)}`);
  }
  const floorMs = performance.now() - floorStart;

  const toEstablished: number[] = [];
  const toFirstCr: number[] = [];
  const installStart = performance.now();
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await s.request({ method: 'POST', url: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', headers: { 'content-type': 'application/json' }, payload: bodies[i]! });
    if (res.statusCode !== 201) throw new Error(`CRD create: ${res.body.slice(0, 300)}`);
    // Poll the API as a client would (kubectl wait does, with a watch).
    for (;;) {
      const got = (await s.json('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things${i}.bench.kubemu.dev`)).json() as Json;
      const conditions = ((got.status as Json | undefined)?.conditions as Json[] | undefined) ?? [];
      if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const established = performance.now();
    toEstablished.push(established - started);
    const cr = await s.json('POST', `/apis/bench.kubemu.dev/v1/namespaces/default/things${i}`, { metadata: { name: 'first' }, spec: { replicas: 2 } });
    if (cr.statusCode !== 201) throw new Error(`first CR: ${cr.body.slice(0, 300)}`);
    toFirstCr.push(performance.now() - established);
  }
  const installMs = performance.now() - installStart;
  await s.server.crds.idle();
  gc();
  const after = process.memoryUsage();

  const read = async (url: string, accept?: string) => {
    const t0 = performance.now();
    const res = await s.request({ method: 'GET', url, ...(accept ? { headers: { accept } } : {}) });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
    return { ms: +(performance.now() - t0).toFixed(1), bytes: res.rawPayload.length };
  };
  const firstReads = {
    aggregatedDiscovery: await read('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'),
    openapiV3Index: await read('/openapi/v3'),
    openapiV3Group: await read('/openapi/v3/apis/bench.kubemu.dev/v1'),
    openapiV2: await read('/openapi/v2'),
  };
  await s.close();

  return {
    bench: 'crds',
    crds: count,
    crdBytes: totalBytes,
    installMs: +installMs.toFixed(0),
    floorConfigMapsSameBytesMs: +floorMs.toFixed(0),
    ratioToFloor: +(installMs / floorMs).toFixed(2),
    postToEstablishedMs: quantiles(toEstablished),
    establishedToFirstCreateMs: quantiles(toFirstCr),
    goalFirstCreateUnder100Ms: Math.max(...toFirstCr) < 100,
    heapGrowthMB: +((after.heapUsed - before.heapUsed) / 2 ** 20).toFixed(1),
    rssGrowthMB: +((after.rss - before.rss) / 2 ** 20).toFixed(1),
    firstReadsAfterInstall: firstReads,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchCrds(Number(process.argv[2] ?? 40)), null, 2));
}
