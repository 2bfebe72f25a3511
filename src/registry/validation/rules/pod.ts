/**
 * Pod spec rules (ValidatePodSpec, ValidateVolumes, ValidatePodTemplateSpec) and the Pod kind's
 * own create and update rules (ValidatePodCreate, ValidatePodUpdate), after
 * `pkg/apis/core/validation/validation.go`, with upstream's messages and field paths.
 * Owns: pod-level rules. Must not: know workloads (./workloads.ts wraps templates).
 */
import { field, type FieldError } from '../../../api/field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../../../api/names.js';
import { deepEqual } from '../../codec.js';
import { validateAnnotations, validateLabels } from '../../object-meta.js';
import { arr, child, inclusiveRange, index, isRec, num, rec, str, type Rec } from './common.js';
import { ipErrors, localDescendingPath, validateContainers, validateInitContainers, type PodContext } from './containers.js';

/** Volume sources in upstream's order: [JSON name, name in the "more than 1 volume type" path]. */
const VOLUME_SOURCES: readonly (readonly [string, string])[] = [
  ['emptyDir', 'emptyDir'], ['hostPath', 'hostPath'], ['gitRepo', 'gitRepo'], ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'], ['secret', 'secret'], ['nfs', 'nfs'], ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'], ['flocker', 'flocker'], ['persistentVolumeClaim', 'persistentVolumeClaim'], ['rbd', 'rbd'],
  ['cinder', 'cinder'], ['cephfs', 'cephFS'], ['quobyte', 'quobyte'], ['downwardAPI', 'downwarAPI'], ['fc', 'fc'],
  ['flexVolume', 'flexVolume'], ['configMap', 'configMap'], ['azureFile', 'azureFile'], ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'], ['portworxVolume', 'portworxVolume'], ['azureDisk', 'azureDisk'],
  ['storageos', 'storageos'], ['projected', 'projected'], ['scaleIO', 'scaleIO'], ['csi', 'csi'], ['ephemeral', 'ephemeral'],
];

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

function keyToPaths(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(items).forEach((it, i) => {
    const item = rec(it);
    const at = index(path, i);
    if (!str(item.key)) errs.push(field.required(child(at, 'key')));
    const p = str(item.path);
    if (!p) errs.push(field.required(child(at, 'path')));
    errs.push(...localDescendingPath(p, child(at, 'path')));
    const mode = num(item.mode);
    if (mode !== undefined && (mode > 0o777 || mode < 0)) errs.push(field.invalid(child(at, 'mode'), mode, FILE_MODE_ERROR));
  });
  return errs;
}

/** validateVolumeSource for the sources users meet; others are only counted. */
function validateVolumeSource(vol: Rec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const [name, pathName] of VOLUME_SOURCES) {
    if (!isRec(vol[name])) continue;
    if (count++ > 0) {
      errs.push(field.forbidden(child(path, pathName), 'may not specify more than 1 volume type'));
      continue;
    }
    const src = vol[name];
    const at = child(path, name);
    switch (name) {
      case 'hostPath':
        if (!str(src.path)) errs.push(field.required(child(at, 'path')));
        else if (str(src.path).split('/').includes('..')) errs.push(field.invalid(child(at, 'path'), str(src.path), "must not contain '..'"));
        break;
      case 'secret':
      case 'configMap': {
        const nameField = name === 'secret' ? 'secretName' : 'name';
        if (!str(src[nameField])) errs.push(field.required(child(at, nameField)));
        const mode = num(src.defaultMode);
        if (mode !== undefined && (mode > 0o777 || mode < 0)) errs.push(field.invalid(child(at, 'defaultMode'), mode, FILE_MODE_ERROR));
        errs.push(...keyToPaths(src.items, child(at, 'items')));
        break;
      }
      case 'persistentVolumeClaim':
        if (!str(src.claimName)) errs.push(field.required(child(at, 'claimName')));
        break;
    }
  }
  // No source at all is defaulted to emptyDir upstream (SetDefaults_Volume), so it is never "must specify a volume type".
  return errs;
}

/** ValidateVolumes: names required, DNS labels, unique; returns the names of valid volumes. */
function validateVolumes(volumes: unknown, path: string): { names: Set<string>; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(volumes).forEach((v, i) => {
    const vol = rec(v);
    const at = index(path, i);
    const name = str(vol.name);
    const el = validateVolumeSource(vol, at);
    if (!name) el.push(field.required(child(at, 'name')));
    else for (const m of isDNS1123Label(name)) el.push(field.invalid(child(at, 'name'), name, m));
    if (names.has(name)) el.push(field.duplicate(child(at, 'name'), name));
    if (el.length === 0) names.add(name);
    else errs.push(...el);
  });
  return { names, errs };
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

/** ValidatePodSpec (the checks users meet). */
export function validatePodSpec(spec: unknown, path: string): FieldError[] {
  const s = rec(spec);
  const volumes = validateVolumes(s.volumes, child(path, 'volumes'));
  const ctx: PodContext = { volumes: volumes.names, gracePeriod: num(s.terminationGracePeriodSeconds) ?? 0 };
  const errs = [...volumes.errs];
  errs.push(...validateContainers(s.containers, ctx, child(path, 'containers')));
  errs.push(...validateInitContainers(s.initContainers, s.containers, ctx, child(path, 'initContainers')));
  // Empty values are defaulted upstream before validation (SetDefaults_PodSpec).
  const restart = str(s.restartPolicy) || 'Always';
  if (!RESTART_POLICIES.includes(restart)) errs.push(field.notSupported(child(path, 'restartPolicy'), restart, RESTART_POLICIES));
  const dns = str(s.dnsPolicy) || 'ClusterFirst';
  if (!DNS_POLICIES.includes(dns)) errs.push(field.notSupported(child(path, 'dnsPolicy'), dns, DNS_POLICIES));
  errs.push(...validateLabels(s.nodeSelector as Record<string, string> | undefined, child(path, 'nodeSelector')));
  errs.push(...validateDNSConfig(s.dnsConfig, dns, child(path, 'dnsConfig')));
  arr(s.readinessGates).forEach((g, i) => {
    const type = str(rec(g).conditionType);
    for (const m of isQualifiedName(type)) errs.push(field.invalid(child(index(child(path, 'readinessGates'), i), 'conditionType'), type, m));
  });
  for (const [name, rule] of [['serviceAccountName', isDNS1123Subdomain], ['nodeName', isDNS1123Subdomain]] as const) {
    const value = str(s[name]);
    if (value) for (const m of rule(value)) errs.push(field.invalid(child(path, name), value, m));
  }
  const deadline = num(s.activeDeadlineSeconds);
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32))
    errs.push(field.invalid(child(path, 'activeDeadlineSeconds'), deadline, inclusiveRange(1, MAX_INT32)));
  for (const name of ['hostname', 'subdomain']) {
    const value = str(s[name]);
    if (value) for (const m of isDNS1123Label(value)) errs.push(field.invalid(child(path, name), value, m));
  }
  const priorityClass = str(s.priorityClassName);
  if (priorityClass) for (const m of isDNS1123Subdomain(priorityClass)) errs.push(field.invalid(child(path, 'priorityClassName'), priorityClass, m));
  return errs;
}

function validateDNSConfig(config: unknown, dnsPolicy: string, path: string): FieldError[] {
  if (dnsPolicy === 'None') {
    if (!isRec(config)) return [field.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(config.nameservers).length === 0)
      return [field.required(child(path, 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!isRec(config)) return [];
  const errs: FieldError[] = [];
  const nameservers = arr(config.nameservers);
  if (nameservers.length > 3) errs.push(field.invalid(child(path, 'nameservers'), nameservers, 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => errs.push(...ipErrors(str(ns), index(child(path, 'nameservers'), i))));
  return errs;
}

/** ValidatePodTemplateSpec: labels and annotations (at `<path>.labels`, as upstream), spec, no ephemeral containers. */
export function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  const t = rec(template);
  const meta = rec(t.metadata);
  const errs = [
    ...validateLabels(meta.labels as Record<string, string> | undefined, child(path, 'labels')),
    ...validateAnnotations(meta.annotations as Record<string, string> | undefined, child(path, 'annotations')),
    ...validatePodSpec(t.spec, child(path, 'spec')),
  ];
  if (arr(rec(t.spec).ephemeralContainers).length > 0)
    errs.push(field.forbidden(child(path, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}

function imageWhitespace(containers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(containers).forEach((c, i) => {
    const image = str(rec(c).image);
    if (image !== image.trim()) errs.push(field.invalid(child(index(path, i), 'image'), image, 'must not have leading or trailing whitespace'));
  });
  return errs;
}

/** validatePodMetadataAndSpec without the metadata (the generic store checks that). */
function validatePodObject(pod: Rec): FieldError[] {
  const spec = rec(pod.spec);
  return [
    ...validatePodSpec(spec, 'spec'),
    ...imageWhitespace(spec.containers, 'spec.containers'),
    ...imageWhitespace(spec.initContainers, 'spec.initContainers'),
  ];
}

/** ValidatePodCreate. */
export function validatePodCreate(pod: Rec): FieldError[] {
  const errs = validatePodObject(pod);
  const spec = rec(pod.spec);
  if (arr(spec.ephemeralContainers).length > 0) errs.push(field.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (str(spec.nodeName) && arr(spec.schedulingGates).length > 0)
    errs.push(field.forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  return errs;
}

const UPDATABLE_POD_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
].join(',');

/** A short diff of two JSON values: `-\t<path>: old` / `+\t<path>: new` lines (upstream prints cmp.Diff). */
function diffLines(old: unknown, next: unknown, path: string, out: string[]): void {
  if (deepEqual(old, next)) return;
  if (isRec(old) && isRec(next)) {
    for (const k of new Set([...Object.keys(old), ...Object.keys(next)])) diffLines(old[k], next[k], child(path, k), out);
    return;
  }
  if (Array.isArray(old) && Array.isArray(next) && old.length === next.length) {
    old.forEach((o, i) => diffLines(o, next[i], index(path, i), out));
    return;
  }
  if (old !== undefined) out.push(`-\t${path}: ${JSON.stringify(old)}`);
  if (next !== undefined) out.push(`+\t${path}: ${JSON.stringify(next)}`);
}

function containerCountAndImages(next: unknown, old: unknown, path: string): { errs: FieldError[]; stop: boolean } {
  const a = arr(next);
  if (a.length !== arr(old).length) return { errs: [field.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  a.forEach((c, i) => {
    const image = str(rec(c).image);
    if (!image) errs.push(field.required(child(index(path, i), 'image')));
    if (image !== image.trim()) errs.push(field.invalid(child(index(path, i), 'image'), image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

/** ValidatePodUpdate: the spec may change only in images, activeDeadlineSeconds, added tolerations. */
export function validatePodUpdate(pod: Rec, old: Rec): FieldError[] {
  const errs = validatePodObject(pod);
  const spec = rec(pod.spec);
  const oldSpec = rec(old.spec);
  for (const list of ['containers', 'initContainers']) {
    const checked = containerCountAndImages(spec[list], oldSpec[list], `spec.${list}`);
    errs.push(...checked.errs);
    if (checked.stop) return errs;
  }
  const deadline = num(spec.activeDeadlineSeconds);
  const oldDeadline = num(oldSpec.activeDeadlineSeconds);
  if (deadline !== undefined) {
    if (deadline < 0 || deadline > MAX_INT32) return [...errs, field.invalid('spec.activeDeadlineSeconds', deadline, inclusiveRange(0, MAX_INT32))];
    if (oldDeadline !== undefined && oldDeadline < deadline)
      return [...errs, field.invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value')];
  } else if (oldDeadline !== undefined) {
    errs.push(field.invalid('spec.activeDeadlineSeconds', 'null', 'must not update from a positive integer to nil value'));
  }
  const oldTolerations = arr(oldSpec.tolerations);
  const sameButSeconds = (a: unknown, b: unknown): boolean => deepEqual({ ...rec(a), tolerationSeconds: 0 }, { ...rec(b), tolerationSeconds: 0 });
  if (!oldTolerations.every((t) => arr(spec.tolerations).some((n) => sameButSeconds(n, t))))
    errs.push(field.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  if (deepEqual(spec, oldSpec)) return errs;
  const munged: Rec = { ...spec };
  for (const list of ['containers', 'initContainers']) {
    if (Array.isArray(spec[list]))
      munged[list] = arr(spec[list]).map((c, i) => ({ ...rec(c), image: rec(arr(oldSpec[list])[i]).image }));
  }
  for (const name of ['activeDeadlineSeconds', 'tolerations', 'schedulingGates']) {
    if (oldSpec[name] === undefined) delete munged[name];
    else munged[name] = oldSpec[name];
  }
  const oldGrace = num(oldSpec.terminationGracePeriodSeconds);
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (!deepEqual(munged, oldSpec)) {
    const diff: string[] = [];
    diffLines(oldSpec, munged, 'spec', diff);
    errs.push(field.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_FIELDS}\n${diff.join('\n')}`));
  }
  return errs;
}
