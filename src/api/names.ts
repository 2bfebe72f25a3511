/**
 * Name, label and qualified-name rules of apimachinery's `util/validation`, with their exact
 * messages. Each check returns the list of problems (empty when valid), as upstream does.
 * Owns: string-format rules. Must not: know kinds, build field paths or do I/O.
 */

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;

const dns1123LabelRe = new RegExp(`^${DNS1123_LABEL}$`);
const dns1123SubdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN}$`);
const dns1035LabelRe = new RegExp(`^${DNS1035_LABEL}$`);
const qualifiedNameRe = new RegExp(`^${QUALIFIED_NAME}$`);
const labelValueRe = new RegExp(`^${LABEL_VALUE}$`);

/** `must be no more than N characters`. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** A regex failure worded as upstream's RegexError. */
export function regexError(message: string, pattern: string, ...examples: string[]): string {
  if (!examples.length) return `${message} (regex used for validation is '${pattern}')`;
  return `${message} (e.g. ${examples.map((e, i) => `${i ? ' or ' : ''}'${e}', `).join('')}regex used for validation is '${pattern}')`;
}

/** A length limit and a pattern, with the message upstream gives when the pattern fails. */
interface Format {
  max: number;
  re: RegExp;
  message: string;
  pattern: string;
  examples: string[];
}

const DNS1123_LABEL_FORMAT: Format = {
  max: 63,
  re: dns1123LabelRe,
  message:
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  pattern: DNS1123_LABEL,
  examples: ['my-name', '123-abc'],
};

const DNS1123_SUBDOMAIN_FORMAT: Format = {
  max: 253,
  re: dns1123SubdomainRe,
  message:
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  pattern: DNS1123_SUBDOMAIN,
  examples: ['example.com'],
};

const DNS1035_LABEL_FORMAT: Format = {
  max: 63,
  re: dns1035LabelRe,
  message:
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
  pattern: DNS1035_LABEL,
  examples: ['my-name', 'abc-123'],
};

/** Problems of `value` against a format; `patternError` replaces the regex message when given. */
function checkFormat(value: string, format: Format, patternError?: string): string[] {
  const errs: string[] = [];
  if (value.length > format.max) errs.push(maxLenError(format.max));
  if (!format.re.test(value)) errs.push(patternError ?? regexError(format.message, format.pattern, ...format.examples));
  return errs;
}

/** RFC 1123 label (namespaces): at most 63 characters. */
export function isDNS1123Label(value: string): string[] {
  return checkFormat(value, DNS1123_LABEL_FORMAT, dns1123SubdomainRe.test(value) ? 'must not contain dots' : undefined);
}

/** RFC 1123 subdomain (most object names): at most 253 characters. */
export function isDNS1123Subdomain(value: string): string[] {
  return checkFormat(value, DNS1123_SUBDOMAIN_FORMAT);
}

/** RFC 1035 label (services): starts with a letter, at most 63 characters. */
export function isDNS1035Label(value: string): string[] {
  return checkFormat(value, DNS1035_LABEL_FORMAT);
}

const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** A qualified name (label keys, annotation keys, finalizers): optional DNS-subdomain prefix and `/`. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (!prefix.length) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (!name.length) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** A label value: empty, or at most 63 characters of the qualified-name alphabet. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(value))
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  return errs;
}

/** RBAC-style path-segment names: anything but `.`, `..`, or names containing `/` or `%`. */
export function isPathSegmentName(name: string, prefix: boolean): string[] {
  const errs: string[] = [];
  if (!prefix) {
    if (name === '.' || name === '..') errs.push(`may not be '${name}'`);
  }
  if (name.includes('/')) errs.push("may not contain '/'");
  if (name.includes('%')) errs.push("may not contain '%'");
  return errs;
}

/** A name rule: `prefix` is true when checking a generateName. */
export type NameRule = (name: string, prefix: boolean) => string[];

/** generateName may end in `-`: upstream masks one trailing dash before checking. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** The name rules of kinds, as `ValidateNameFunc`s. */
export const nameRules = {
  dnsSubdomain: ((name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name)) as NameRule,
  dnsLabel: ((name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name)) as NameRule,
  dns1035Label: ((name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name)) as NameRule,
  pathSegment: isPathSegmentName as NameRule,
};
