/**
 * Loads @peculiar/x509 cheaply, once per process, and only when a certificate must be made.
 *
 * Why not `import '@peculiar/x509'`: its CommonJS entry pulls in 213 small modules (asn1-* packages,
 * tsyringe, tslib), which costs 100–150 ms of module loading before any certificate is signed,
 * and tsyringe refuses to load at all without a `reflect-metadata` polyfill, which is not a
 * dependency. The package also ships one self-contained bundle (`build/x509.js`, the same 66
 * exports); compiling that file takes about 25 ms. tsyringe only consults `Reflect.getMetadata`
 * while its decorators run, that is while the bundle evaluates, so a minimal metadata shim is
 * installed for the evaluation and removed afterwards; nothing global is left behind.
 *
 * Owns: obtaining the library. Must not: build certificates (see pki.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import type * as X509 from '@peculiar/x509';

/** The @peculiar/x509 module namespace. */
export type X509Module = typeof X509;

let loaded: X509Module | undefined;

/** @peculiar/x509, loaded from its single-file bundle on first call and kept for the process. */
export function x509(): X509Module {
  loaded ??= withReflectMetadata(loadBundle);
  return loaded;
}

function loadBundle(): X509Module {
  const filename = createRequire(import.meta.url).resolve('@peculiar/x509/build/x509.js');
  // The bundle is an IIFE assigned to `var x509`; wrapping it in a function keeps that local.
  const factory = compileFunction(`${readFileSync(filename, 'utf8')}\n;return x509;`, [], { filename });
  return factory() as X509Module;
}

type MetadataKey = string | symbol | undefined;
type MetadataFn = (...args: unknown[]) => unknown;

/** Runs `fn` with `Reflect.{define,get,getOwn}Metadata` present, then restores what was there. */
function withReflectMetadata<T>(fn: () => T): T {
  const reflect = Reflect as unknown as Record<string, MetadataFn | undefined>;
  if (typeof reflect.getMetadata === 'function') return fn();
  const store = new WeakMap<object, Map<MetadataKey, Map<unknown, unknown>>>();
  const own = (target: object, property: MetadataKey): Map<unknown, unknown> | undefined => store.get(target)?.get(property);
  const names = ['defineMetadata', 'getOwnMetadata', 'getMetadata'] as const;
  const saved = names.map((name) => reflect[name]);
  reflect.defineMetadata = (key, value, target, property) => {
    const t = target as object;
    const p = property as MetadataKey;
    let byProperty = store.get(t);
    if (!byProperty) store.set(t, (byProperty = new Map()));
    let byKey = byProperty.get(p);
    if (!byKey) byProperty.set(p, (byKey = new Map()));
    byKey.set(key, value);
  };
  reflect.getOwnMetadata = (key, target, property) => own(target as object, property as MetadataKey)?.get(key);
  reflect.getMetadata = (key, target, property) => {
    for (let o: object | null = target as object; o; o = Object.getPrototypeOf(o) as object | null) {
      const byKey = own(o, property as MetadataKey);
      if (byKey?.has(key)) return byKey.get(key);
    }
    return undefined;
  };
  try {
    return fn();
  } finally {
    names.forEach((name, i) => {
      if (saved[i] === undefined) delete reflect[name];
      else reflect[name] = saved[i];
    });
  }
}
