/**
 * Reads the Go facts a `.proto` file does not carry from the Go sources of k8s.io/api and
 * k8s.io/apimachinery: for each protobuf-tagged struct field, whether it is a pointer, whether
 * its JSON tag has omitempty, whether it is embedded inline, and its Go name; and which types
 * are named slices (`type ExtraValue []string`). Used by scripts/gen-protobuf-tables.ts only.
 * Owns: a line-based reading of `type X struct { ... }` blocks. Must not: know protobuf tables.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the Go source says about one protobuf-tagged field. */
export interface GoField {
  goName: string;
  goType: string;
  /** JSON name from the json tag ('' for inline or untagged). */
  jsonName: string;
  pointer: boolean;
  omitempty: boolean;
  inline: boolean;
}

/** The Go facts of one package: struct fields by type name and protobuf number, and named slices. */
export interface GoPackage {
  structs: Map<string, Map<number, GoField>>;
  namedSlices: Set<string>;
}

const STRUCT = /^type (\w+) struct \{\n([\s\S]*?)^\}/gm;
const NAMED_SLICE = /^type (\w+) \[\][\w.*]+\s*$/gm;
const FIELD = /^(?:(\w+)\s+)?([^\s`]+)\s+`([^`]*)`/;

function parseField(line: string): { number: number; field: GoField } | undefined {
  const m = FIELD.exec(line.trim());
  if (!m) return undefined;
  const [, name, goType, tag] = m as unknown as [string, string | undefined, string, string];
  const proto = /protobuf:"([^"]*)"/.exec(tag)?.[1];
  if (!proto || proto === '-') return undefined;
  const number = Number(proto.split(',')[1]);
  if (!Number.isInteger(number)) return undefined;
  const json = /json:"([^"]*)"/.exec(tag)?.[1] ?? '';
  const [jsonName = '', ...options] = json.split(',');
  const bare = goType.replace(/^\*/, '');
  return {
    number,
    field: {
      goName: name ?? bare.slice(bare.lastIndexOf('.') + 1),
      goType,
      jsonName,
      pointer: goType.startsWith('*'),
      omitempty: options.includes('omitempty') || options.includes('omitzero'),
      inline: options.includes('inline'),
    },
  };
}

/** Reads the Go package in `dir` (non-test, non-generated files). Missing directory → empty. */
export function readGoPackage(dir: string): GoPackage {
  const pkg: GoPackage = { structs: new Map(), namedSlices: new Set() };
  if (!existsSync(dir)) return pkg;
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.go') || file.endsWith('_test.go') || file.endsWith('.pb.go') || file.startsWith('zz_generated')) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(NAMED_SLICE)) pkg.namedSlices.add(m[1]!);
    for (const m of text.matchAll(STRUCT)) {
      const fields = pkg.structs.get(m[1]!) ?? new Map<number, GoField>();
      for (const line of m[2]!.split('\n')) {
        if (line.trim().startsWith('//')) continue;
        const parsed = parseField(line);
        if (parsed) fields.set(parsed.number, parsed.field);
      }
      if (fields.size > 0) pkg.structs.set(m[1]!, fields);
    }
  }
  return pkg;
}
