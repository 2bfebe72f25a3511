/**
 * Content negotiation of read answers: the first media type of the Accept header kubemu can
 * produce wins — JSON, YAML, a meta.k8s.io Table, or PartialObjectMetadata(List) — and 406 when
 * none can be produced. Protobuf is skipped (kubectl always offers JSON after it).
 * Owns: Accept → output format. Must not: encode anything.
 */
import { StatusError } from '../api/errors.js';

/** What a read answers with. */
export type OutputFormat =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'metadata'; version: 'v1' | 'v1beta1' };

interface MediaRange {
  type: string;
  params: Map<string, string>;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((clause) => {
      const [type, ...params] = clause.split(';').map((s) => s.trim());
      return {
        type: (type ?? '').toLowerCase(),
        params: new Map(
          params.map((p) => {
            const eq = p.indexOf('=');
            return [p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim()] as [string, string];
          }),
        ),
      };
    })
    .filter((r) => r.type);
}

const ACCEPTED = ['application/json', 'application/yaml', 'application/json;as=Table;g=meta.k8s.io;v=v1'];

/**
 * The format for `accept`; `list` says whether the answer is a collection (PartialObjectMetadataList
 * rather than PartialObjectMetadata).
 */
export function negotiateOutput(accept: string | undefined, list: boolean): OutputFormat {
  if (!accept) return { kind: 'json' };
  for (const range of parseAccept(accept)) {
    const as = range.params.get('as');
    const jsonish = range.type === 'application/json' || range.type === '*/*' || range.type === 'application/*';
    if (!as) {
      if (jsonish) return { kind: 'json' };
      if (range.type === 'application/yaml') return { kind: 'yaml' };
      continue;
    }
    if (range.type !== 'application/json' || range.params.get('g') !== 'meta.k8s.io') continue;
    const version = range.params.get('v');
    if (version !== 'v1' && version !== 'v1beta1') continue;
    if (as === 'Table') return { kind: 'table', version };
    if (as === (list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata')) return { kind: 'metadata', version };
  }
  throw new StatusError(406, 'NotAcceptable', `only the following media types are accepted: ${ACCEPTED.join(', ')}`);
}
