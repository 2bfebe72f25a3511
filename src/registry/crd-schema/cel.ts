/**
 * x-kubernetes-validations: CEL rules compiled with @marcbachmann/cel-js and evaluated over a
 * custom resource as apiextensions-apiserver's cel/validation.go does: `self` bound to each node,
 * `oldSelf` for transition rules (only evaluated when an old value correlates: object properties,
 * granular maps, list-type map entries by key), message / messageExpression / reason / fieldPath.
 * Rules the library cannot compile, or that use Kubernetes CEL libraries it lacks, are skipped
 * and reported as CRD warnings.
 * Owns: CEL compilation and evaluation. Must not: validate schemas otherwise.
 */
import { Environment, Optional } from '@marcbachmann/cel-js';
import { FieldError } from '../../api/field-errors.js';
import { duplicate, invalid } from './go-value.js';
import { CelLibraryError, registerKubernetesLibraries } from './cel-library.js';
import { parseFieldPath } from './field-path.js';
import { isObj, type SchemaNode, type ValidationRule } from './node.js';

type Program = (ctx: Record<string, unknown>) => unknown;

interface CompiledRule {
  rule: ValidationRule;
  program: Program;
  message?: Program;
  usesOldSelf: boolean;
  optionalOldSelf: boolean;
  fieldPath: string;
}

/** Kubernetes CEL functions kubemu does not implement (not in a 1.31 environment, or not for CRDs). */
const UNSUPPORTED = /\b(semver|isSemver|authorizer)\s*\(|\bmath\.[a-zA-Z]+\s*\(|\.(reverse|format|transformList|transformMap|transformMapEntry)\s*\(/;

const envs = new Map<boolean, Environment>();

/** The CEL environment: `oldSelf` is `optional<dyn>` for rules with optionalOldSelf. */
function environment(optionalOldSelf = false): Environment {
  let env = envs.get(optionalOldSelf);
  if (env) return env;
  env = new Environment({ homogeneousAggregateLiterals: false, enableOptionalTypes: true })
    .registerVariable('self', 'dyn')
    .registerVariable('oldSelf', optionalOldSelf ? 'optional<dyn>' : 'dyn');
  registerKubernetesLibraries(env);
  envs.set(optionalOldSelf, env);
  return env;
}

/**
 * Renames calls of `matches` (outside string literals) to the same-length `matchGo`, the
 * library's Go-regexp version (cel-js's own `matches` is a JS RegExp and cannot be replaced).
 */
export function goMatches(expr: string): string {
  let out = '';
  let i = 0;
  let prefix = ''; // the identifier just before the cursor (a string prefix such as r or rb)
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'") {
      const raw = /^([rR][bB]?|[bB][rR])$/.test(prefix);
      const q = expr.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      let j = i + q.length;
      while (j < expr.length && !expr.startsWith(q, j)) j += !raw && expr[j] === '\\' ? 2 : 1;
      out += expr.slice(i, j + q.length);
      i = j + q.length;
      prefix = '';
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr.slice(i));
    if (m) {
      const call = m[0] === 'matches' && /^\s*\(/.test(expr.slice(i + 7));
      out += call ? 'matchGo' : m[0];
      i += m[0].length;
      prefix = m[0];
      continue;
    }
    out += c;
    i++;
    prefix = '';
  }
  return out;
}

/** The outcome of compiling one expression: a program, a CRD error (422), or a warning (skipped). */
export type RuleCompilation =
  | { kind: 'ok'; program: Program }
  | { kind: 'error'; detail: string }
  | { kind: 'warning'; detail: string };

/** cel-go's issue rendering `ERROR: <input>:line:col: message` for a position in `expr`. */
function issue(expr: string, start: number | undefined, summary: string): string {
  const before = expr.slice(0, start ?? 0).split('\n');
  return `ERROR: <input>:${before.length}:${before[before.length - 1]!.length + 1}: ${summary}`;
}

/**
 * Compiles an expression as the CRD's rule (`want` 'bool') or messageExpression ('string').
 * Syntax errors, undeclared references and definite result-type mismatches are errors as
 * upstream's compiler reports them; library gaps and other type-check failures are warnings.
 */
export function compileExpression(expr: string, want: 'bool' | 'string', optionalOldSelf = false): RuleCompilation {
  const prefix = want === 'bool' ? 'compilation failed: ' : 'messageExpression compilation failed: ';
  const unsupported = UNSUPPORTED.exec(expr);
  if (unsupported) {
    return { kind: 'warning', detail: `uses the Kubernetes CEL function ${unsupported[0].replace(/^\./, '').replace(/\s*\($/, '')} which kubemu does not implement` };
  }
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = environment(optionalOldSelf).parse(goMatches(expr));
  } catch (err) {
    const e = err as { summary?: string; range?: { start: number }; message?: string };
    return { kind: 'error', detail: prefix + issue(expr, e.range?.start, e.summary ?? firstLine(err)) };
  }
  const checked = parsed.check();
  if (!checked.valid) {
    const e = checked.error as unknown as { code?: string; summary?: string; range?: { start: number }; message?: string };
    const summary = (e?.summary ?? firstLine(e)).replace(/\bmatchGo\b/g, 'matches');
    if (e?.code === 'unknown_variable') {
      const name = /Unknown variable: (\S+)/.exec(summary)?.[1] ?? '';
      return { kind: 'error', detail: prefix + issue(expr, e.range?.start, `undeclared reference to '${name}' (in container '')`) };
    }
    return { kind: 'warning', detail: `compilation failed: ${summary}` };
  }
  if (checked.type !== want && checked.type !== 'dyn') {
    return { kind: 'error', detail: want === 'bool' ? 'cel expression must evaluate to a bool' : 'messageExpression must evaluate to a string' };
  }
  return { kind: 'ok', program: parsed as unknown as Program };
}

/** Compiles the rules of one schema node; pushes warnings for rules that are skipped (CRD-time errors are validateStructuralSchema's). */
export function compileRules(rules: readonly ValidationRule[], where: string, warnings: string[], node?: SchemaNode): CompiledRule[] {
  const out: CompiledRule[] = [];
  rules.forEach((rule, i) => {
    const at = `${where}.x-kubernetes-validations[${i}]`;
    if (typeof rule?.rule !== 'string' || rule.rule.trim() === '') return;
    const optional = rule.optionalOldSelf === true;
    const c = compileExpression(rule.rule, 'bool', optional);
    if (c.kind !== 'ok') {
      warnings.push(`${at}.rule: not evaluated by kubemu: ${c.detail}: ${rule.rule}`);
      return;
    }
    const fp = typeof rule.fieldPath === 'string' && rule.fieldPath.trim() !== '' && node ? parseFieldPath(rule.fieldPath, node) : undefined;
    const compiled: CompiledRule = {
      rule,
      program: c.program,
      usesOldSelf: /\boldSelf\b/.test(rule.rule),
      optionalOldSelf: optional,
      fieldPath: fp && 'path' in fp ? fp.path : '',
    };
    if (typeof rule.messageExpression === 'string' && rule.messageExpression.trim() !== '') {
      const m = compileExpression(rule.messageExpression, 'string', optional);
      if (m.kind === 'ok') compiled.message = m.program;
      else warnings.push(`${at}.messageExpression: not evaluated by kubemu: ${m.detail}`);
    }
    out.push(compiled);
  });
  return out;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!;
}

/** Converts a JSON value to CEL values following the schema (integers become bigint). */
export function toCel(v: unknown, s: SchemaNode | undefined): unknown {
  if (typeof v === 'number') {
    if (s?.type === 'number') return v;
    return Number.isInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) return v.map((x) => toCel(x, s?.items));
  if (isObj(v)) {
    const out: Record<string, unknown> = {};
    const ap = typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined;
    for (const [k, x] of Object.entries(v)) out[k] = toCel(x, s?.properties?.get(k) ?? ap);
    return out;
  }
  return v;
}

function ruleErrorString(rule: ValidationRule): string {
  return rule.message && rule.message.trim() ? rule.message.trim() : rule.rule.trim();
}

function ruleMessage(rule: ValidationRule): string {
  return rule.message && rule.message.trim() ? rule.message.trim() : `failed rule: ${ruleErrorString(rule)}`;
}

function fieldErrorForReason(path: string, type: string, detail: string, reason: string | undefined): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return new FieldError('FieldValueForbidden', path, '', detail);
    case 'FieldValueRequired':
      return new FieldError('FieldValueRequired', path, '', detail);
    case 'FieldValueDuplicate':
      return duplicate(path, type);
    default:
      return invalid(path, type, detail);
  }
}

/** Where evaluation results go: errors, or (ratcheting) warnings for unchanged nodes. */
export interface Sink {
  errs: FieldError[];
  warnings: string[] | undefined;
  /** The node is unchanged from its old value: failures of rules without oldSelf become warnings. */
  ratchet: boolean;
}

/** Evaluates the compiled rules of one node. `path` is a field.Path string ('' = root). */
export function evalRules(
  rules: readonly CompiledRule[],
  s: SchemaNode,
  self: unknown,
  oldSelf: unknown,
  hasOld: boolean,
  path: string,
  sink: Sink,
): void {
  const fp = path || '<nil>';
  const type = s.type || (s.intOrString ? 'integer' : 'object');
  const { errs } = sink;
  let ctx: Record<string, unknown> | undefined;
  let optCtx: Record<string, unknown> | undefined;
  for (const c of rules) {
    if (c.usesOldSelf && !hasOld && !c.optionalOldSelf) continue;
    ctx ??= { self: toCel(self, s), oldSelf: hasOld ? toCel(oldSelf, s) : null };
    const run = c.optionalOldSelf ? (optCtx ??= { self: ctx.self, oldSelf: hasOld ? Optional.of(ctx.oldSelf) : Optional.none() }) : ctx;
    let result: unknown;
    try {
      result = c.program(run);
    } catch (err) {
      const text = firstLine(err);
      if (!(err instanceof CelLibraryError) && /no matching overload|Unknown variable|Unknown function/.test(text)) continue; // library gap: skip
      errs.push(invalid(fp, type, `${text} evaluating rule: ${ruleErrorString(c.rule)}`));
      continue;
    }
    if (result === true) continue;
    const at = c.fieldPath ? (path ? `${path}.${c.fieldPath}` : c.fieldPath) : fp;
    let detail = ruleMessage(c.rule);
    if (c.message) {
      try {
        const m = c.message(run);
        if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) detail = m.trim();
      } catch {
        // upstream falls back to the static message
      }
    }
    const e = fieldErrorForReason(at, type, detail, c.rule.reason);
    if (!c.usesOldSelf && sink.ratchet) sink.warnings?.push(e.toString());
    else errs.push(e);
  }
}
