/**
 * CRD-time checks of x-kubernetes-validations beyond their shape (validation.go of the
 * apiextensions API): fieldPath syntax ("must be a valid path"), rules that do not compile
 * (only what kubemu's CEL library reports reliably: syntax errors, undeclared references, a
 * definite non-bool result), oldSelf on uncorrelatable parts of the schema, optionalOldSelf on
 * rules without oldSelf. Estimated-cost limits are not computed.
 * Owns: these checks. Must not: evaluate rules over objects.
 */
import { FieldError } from '../../api/field-errors.js';
import { compileExpression } from './cel.js';
import { parseFieldPath } from './field-path.js';
import { invalid } from './go-value.js';
import { buildNode, isObj } from './node.js';

type Raw = Record<string, unknown>;

/** A ValidationRule as Go's `%#v` prints the internal apiextensions type. */
export function goRule(r: Raw): string {
  const str = (k: string): string => JSON.stringify(typeof r[k] === 'string' ? r[k] : '');
  const ptr = (k: string, type: string): string => (r[k] === undefined || r[k] === null ? `(*${type})(nil)` : `(*${type})(0xc000000000)`);
  return `apiextensions.ValidationRule{Rule:${str('rule')}, Message:${str('message')}, MessageExpression:${str('messageExpression')}, ` +
    `Reason:${ptr('reason', 'apiextensions.FieldValueErrorReason')}, FieldPath:${str('fieldPath')}, OptionalOldSelf:${ptr('optionalOldSelf', 'bool')}}`;
}

/** A field error whose bad value is printed verbatim (Go `%#v` of a struct). */
class StructValueError extends FieldError {
  constructor(path: string, readonly rendered: string, detail: string) {
    super('FieldValueInvalid', path, rendered, detail);
  }
  override body(): string {
    return `Invalid value: ${this.rendered}: ${this.detail}`;
  }
}

/** fieldPath shape errors (schema errors: they block the CEL checks). */
export function fieldPathErrors(s: Raw, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = Array.isArray(s['x-kubernetes-validations']) ? (s['x-kubernetes-validations'] as Raw[]) : [];
  rules.forEach((r, i) => {
    const fp = r.fieldPath;
    if (typeof fp !== 'string' || fp === '') return;
    const at = `${path}.x-kubernetes-validations[${i}].fieldPath`;
    if (fp.trim() === '') errs.push(invalid(at, fp, 'must be non-empty if specified'));
    if (/[\n\r]/.test(fp)) errs.push(invalid(at, fp, 'must not contain line breaks'));
    if ('error' in parseFieldPath(fp, buildNode(s))) errs.push(invalid(at, fp, 'must be a valid path'));
  });
  return errs;
}

/** CEL errors of the whole schema tree; `uncorrelatable` is where oldSelf became impossible. */
export function celErrors(s: Raw, path: string, uncorrelatable?: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = Array.isArray(s['x-kubernetes-validations']) ? (s['x-kubernetes-validations'] as Raw[]) : [];
  rules.forEach((r, i) => {
    if (typeof r.rule !== 'string' || r.rule.trim() === '') return;
    const at = `${path}.x-kubernetes-validations[${i}]`;
    const optional = r.optionalOldSelf === true;
    const c = compileExpression(r.rule, 'bool', optional);
    if (c.kind === 'error') errs.push(new StructValueError(`${at}.rule`, goRule(r), c.detail));
    if (typeof r.messageExpression === 'string' && r.messageExpression.trim() !== '') {
      const m = compileExpression(r.messageExpression, 'string', optional);
      if (m.kind === 'error') errs.push(new StructValueError(`${at}.messageExpression`, goRule(r), m.detail));
    }
    if (c.kind === 'error') return;
    if (/\boldSelf\b/.test(r.rule)) {
      if (uncorrelatable !== undefined) {
        errs.push(invalid(`${at}.rule`, r.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelatable}`));
      }
    } else if (r.optionalOldSelf !== undefined && r.optionalOldSelf !== null) {
      errs.push(invalid(`${at}.optionalOldSelf`, r.optionalOldSelf, 'may not be set if oldSelf is not used in rule'));
    }
  });
  if (isObj(s.properties)) {
    const u = uncorrelatable ?? (s['x-kubernetes-map-type'] === 'atomic' ? path : undefined);
    for (const [k, p] of Object.entries(s.properties)) if (isObj(p)) errs.push(...celErrors(p, `${path}.properties[${k}]`, u));
  }
  if (isObj(s.additionalProperties)) errs.push(...celErrors(s.additionalProperties, `${path}.additionalProperties`, uncorrelatable));
  if (isObj(s.items)) {
    const u = uncorrelatable ?? (s['x-kubernetes-list-type'] !== 'map' ? path : undefined);
    errs.push(...celErrors(s.items, `${path}.items`, u));
  }
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[k])) (s[k] as unknown[]).forEach((v, i) => isObj(v) && errs.push(...celErrors(v, `${path}.${k}[${i}]`, uncorrelatable)));
  }
  if (isObj(s.not)) errs.push(...celErrors(s.not, `${path}.not`, uncorrelatable));
  return errs;
}

/** Walks every schema node for fieldPath errors. */
export function allFieldPathErrors(s: Raw, path: string): FieldError[] {
  const errs = fieldPathErrors(s, path);
  if (isObj(s.properties)) for (const [k, p] of Object.entries(s.properties)) if (isObj(p)) errs.push(...allFieldPathErrors(p, `${path}.properties[${k}]`));
  if (isObj(s.additionalProperties)) errs.push(...allFieldPathErrors(s.additionalProperties, `${path}.additionalProperties`));
  if (isObj(s.items)) errs.push(...allFieldPathErrors(s.items, `${path}.items`));
  return errs;
}
