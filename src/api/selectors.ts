/**
 * Label and field selectors in one import: the string grammars of `?labelSelector=` and
 * `?fieldSelector=`, the workload `matchLabels`/`matchExpressions` object, and the per-kind
 * field tables. The parts live in label-selector*.ts, field-selector.ts and selectable-fields.ts.
 * Owns: nothing of its own (a re-export). Must not: do I/O.
 */
export {
  LabelSelector,
  labelSelectorFromObject,
  labelSelectorToString,
  newRequirement,
  requirementToString,
  compareGoStrings,
  type LabelOperator,
  type LabelRequirement,
  type LabelSelectorObject,
} from './label-selector.js';
export { parseLabelSelector } from './label-selector-parser.js';
export {
  FieldSelector,
  parseFieldSelector,
  escapeFieldValue,
  unescapeFieldValue,
  fieldLabelNotSupported,
  FIELD_LABEL_ALIASES,
  type FieldRequirement,
  type FieldSelectorOptions,
} from './field-selector.js';
export {
  fieldSelectorFields,
  fieldSelectorRefusals,
  parseFieldSelectorFor,
  customResourceFieldLabels,
  fieldsOf,
} from './selectable-fields.js';
