/**
 * x-kubernetes-validations: CEL rules compiled with @marcbachmann/cel-js and evaluated over a
 * custom resource as apiextensions-apiserver's cel/validation.go does: `self` bound to each node,
 * `oldSelf` for transition rules (only evaluated when an old value correlates: object properties,
 * granular maps, list-type map entries by key), message / messageExpression / reason / fieldPath.
 * Rules the library cannot compile, or that use Kubernetes CEL libraries it lacks, are skipped
 * and reported as CRD warnings.
 * Owns: CEL compilation and evaluation. Must not: validate schemas otherwise.
 */
import { Environment } from '@marcbachmann/cel-js';
import { FieldError } from '../../api/field-errors.js';
import { duplicate, invalid } from './go-value.js';
import { isObj, type SchemaNode, type ValidationRule } from './node.js';

type Program = (ctx: Record<string, unknown>) => unknown;

interface CompiledRule {
  rule: ValidationRule;
  program: Program;
  message?: Program;
  usesOldSelf: boolean;
  fieldPath: string;
}

/** Kubernetes CEL library functions the evaluator does not provide. */
const UNSUPPORTED = /\b(url|isURL|quantity|isQuantity|ip|isIP|cidr|isCIDR|semver|isSemver|format|authorizer|getScheme|getHost)\s*\(|\b(math|sets|strings)\.[a-zA-Z]+\s*\(|\.(find|findAll|quote|compareTo|add|sub|isGreaterThan|isLessThan|asApproximateFloat|asInteger|isInteger|sign|getHostname|getPort|getEscapedPath|getQuery|reverse)\s*\(/;

let env: Environment | undefined;

function environment(): Environment {
  if (env) return env;
  env = new Environment({ homogeneousAggregateLiterals: false, enableOptionalTypes: true })
    .registerVariable('self', 'dyn')
    .registerVariable('oldSelf', 'dyn')
    .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b))
    .registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
      let out = s;
      let count = Number(n);
      if (count < 0) return s.split(a).join(b);
      let from = 0;
      while (count-- > 0) {
        const i = out.indexOf(a, from);
        if (i < 0) break;
        out = out.slice(0, i) + b + out.slice(i + a.length);
        from = i + b.length;
      }
      return out;
    })
    .registerFunction('string.charAt(int): string', (s: string, i: bigint) => [...s][Number(i)] ?? '')
    .registerFunction('list.isSorted(): bool', (l: unknown[]) => l.every((v, i) => i === 0 || (l[i - 1] as number) <= (v as number)))
    .registerFunction('list.sum(): dyn', (l: unknown[]) => (l as number[]).reduce((a, b) => a + b, typeof l[0] === 'bigint' ? (0n as unknown as number) : 0))
    .registerFunction('list.min(): dyn', (l: unknown[]) => (l as number[]).reduce((a, b) => (b < a ? b : a)))
    .registerFunction('list.max(): dyn', (l: unknown[]) => (l as number[]).reduce((a, b) => (b > a ? b : a)))
    .registerFunction('list.indexOf(dyn): int', (l: unknown[], v: unknown) => BigInt(l.findIndex((x) => x === v)))
    .registerFunction('list.lastIndexOf(dyn): int', (l: unknown[], v: unknown) => {
      for (let i = l.length - 1; i >= 0; i--) if (l[i] === v) return BigInt(i);
      return -1n;
    });
  return env;
}

/** Compiles the rules of one schema node; pushes warnings for rules that are skipped. */
export function compileRules(rules: readonly ValidationRule[], where: string, warnings: string[]): CompiledRule[] {
  const out: CompiledRule[] = [];
  rules.forEach((rule, i) => {
    const at = `${where}.x-kubernetes-validations[${i}]`;
    if (typeof rule?.rule !== 'string' || rule.rule.trim() === '') return;
    const unsupported = UNSUPPORTED.exec(rule.rule);
    if (unsupported) {
      warnings.push(`${at}.rule: not evaluated by kubemu: uses the Kubernetes CEL function ${unsupported[0].replace(/\s*\($/, '')} which kubemu does not implement: ${rule.rule}`);
      return;
    }
    let program: Program;
    try {
      program = environment().parse(rule.rule) as unknown as Program;
    } catch (err) {
      warnings.push(`${at}.rule: not evaluated by kubemu: compilation failed: ${firstLine(err)}`);
      return;
    }
    const compiled: CompiledRule = {
      rule,
      program,
      usesOldSelf: /\boldSelf\b/.test(rule.rule),
      fieldPath: typeof rule.fieldPath === 'string' ? rule.fieldPath.replace(/^\./, '') : '',
    };
    if (typeof rule.messageExpression === 'string' && rule.messageExpression !== '') {
      try {
        compiled.message = environment().parse(rule.messageExpression) as unknown as Program;
      } catch (err) {
        warnings.push(`${at}.messageExpression: not evaluated by kubemu: compilation failed: ${firstLine(err)}`);
      }
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

/** Evaluates the compiled rules of one node. `path` is a field.Path string ('' = root). */
export function evalRules(
  rules: readonly CompiledRule[],
  s: SchemaNode,
  self: unknown,
  oldSelf: unknown,
  hasOld: boolean,
  path: string,
  errs: FieldError[],
): void {
  const fp = path || '<nil>';
  const type = s.type || (s.intOrString ? 'integer' : 'object');
  let ctx: Record<string, unknown> | undefined;
  for (const c of rules) {
    if (c.usesOldSelf && !hasOld) continue;
    ctx ??= { self: toCel(self, s), oldSelf: hasOld ? toCel(oldSelf, s) : null };
    let result: unknown;
    try {
      result = c.program(ctx);
    } catch (err) {
      const text = firstLine(err);
      if (/no matching overload|Unknown variable|Unknown function/.test(text)) continue; // library gap: skip
      errs.push(invalid(fp, type, `${text} evaluating rule: ${ruleErrorString(c.rule)}`));
      continue;
    }
    if (result === true) continue;
    const at = c.fieldPath ? (path ? `${path}.${c.fieldPath}` : c.fieldPath) : fp;
    let detail = ruleMessage(c.rule);
    if (c.message) {
      try {
        const m = c.message(ctx);
        if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) detail = m.trim();
      } catch {
        // upstream falls back to the static message
      }
    }
    errs.push(fieldErrorForReason(at, type, detail, c.rule.reason));
  }
}
