/**
 * Printers for horizontalpodautoscalers (autoscaling/v1 and v2) and poddisruptionbudgets
 * (upstream printHorizontalPodAutoscaler with formatHPAMetrics, printPodDisruptionBudget).
 * Upstream prints the internal (v2-shaped) HPA, so a v1 object is first read as v2: its
 * targetCPUUtilizationPercentage becomes a cpu Utilization metric, and an HPA without metrics
 * gets the defaulted `cpu` 80% target, as the apiserver's defaulting stores it.
 * Owns: these kinds' columns and cells. Must not: know HTTP, storage or other kinds.
 */
import type { KubeObject } from '../../../api/types.js';
import { AGE, column, columns, integer, NAME } from '../columns.js';
import { DOC } from '../descriptions.js';
import { age, quantityPointer } from '../format.js';
import type { Printer, PrintContext } from '../types.js';

interface MetricTarget {
  type?: string;
  value?: unknown;
  averageValue?: unknown;
  averageUtilization?: number;
}

interface MetricValue {
  value?: unknown;
  averageValue?: unknown;
  averageUtilization?: number;
}

interface MetricSpec {
  type?: string;
  resource?: { name?: string; target?: MetricTarget };
  containerResource?: { name?: string; target?: MetricTarget };
  pods?: { target?: MetricTarget };
  object?: { target?: MetricTarget };
  external?: { target?: MetricTarget };
}

interface MetricStatus {
  resource?: { current?: MetricValue };
  containerResource?: { current?: MetricValue };
  pods?: { current?: MetricValue };
  object?: { current?: MetricValue };
  external?: { current?: MetricValue };
}

interface HorizontalPodAutoscaler extends KubeObject {
  spec?: {
    scaleTargetRef?: { kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: MetricSpec[];
    targetCPUUtilizationPercentage?: number;
  };
  status?: { currentReplicas?: number; currentMetrics?: MetricStatus[]; currentCPUUtilizationPercentage?: number };
}

interface PodDisruptionBudget extends KubeObject {
  spec?: { minAvailable?: number | string; maxUnavailable?: number | string };
  status?: { disruptionsAllowed?: number };
}

const cpu = (averageUtilization: number | undefined): MetricSpec => ({
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } },
});

/** The HPA's metric specs and statuses in v2 form (see the module comment). */
function metricsOf(hpa: HorizontalPodAutoscaler): [MetricSpec[], MetricStatus[]] {
  if (hpa.apiVersion !== 'autoscaling/v1') {
    const specs = hpa.spec?.metrics ?? [];
    return [specs.length > 0 ? specs : [cpu(80)], hpa.status?.currentMetrics ?? []];
  }
  const target = hpa.spec?.targetCPUUtilizationPercentage;
  const current = hpa.status?.currentCPUUtilizationPercentage;
  return [
    [cpu(typeof target === 'number' ? target : 80)],
    typeof current === 'number' ? [{ resource: { current: { averageUtilization: current } } }] : [],
  ];
}

/** `cur/target` for Object and External metrics, `(avg)` when the target is an average value. */
function valueMetric(target: MetricTarget | undefined, current: MetricValue | undefined, present: boolean): string {
  if (target?.averageValue !== undefined && target.averageValue !== null) {
    const cur = present && current?.averageValue !== undefined && current.averageValue !== null ? quantityPointer(current.averageValue) : '<unknown>';
    return `${cur}/${quantityPointer(target.averageValue)} (avg)`;
  }
  const cur = present ? quantityPointer(current?.value) : '<unknown>';
  return `${cur}/${quantityPointer(target?.value)}`;
}

/** `name: cur/target` for Resource and ContainerResource metrics (utilization as `n%`, `<auto>`). */
function resourceMetric(name: string, target: MetricTarget | undefined, current: MetricValue | undefined, present: boolean): string {
  if (target?.averageValue !== undefined && target.averageValue !== null) {
    const cur = present ? quantityPointer(current?.averageValue) : '<unknown>';
    return `${name}: ${cur}/${quantityPointer(target.averageValue)}`;
  }
  const cur = present && typeof current?.averageUtilization === 'number' ? `${current.averageUtilization}%` : '<unknown>';
  const want = typeof target?.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
  return `${name}: ${cur}/${want}`;
}

/** formatHPAMetrics: the first two metrics, then ` + N more...`. */
function formatMetrics(specs: readonly MetricSpec[], statuses: readonly MetricStatus[]): string {
  const list = specs.map((spec, i): string => {
    const st: MetricStatus | undefined = statuses[i];
    switch (spec.type) {
      case 'External':
        return valueMetric(spec.external?.target, st?.external?.current, Boolean(st?.external));
      case 'Object':
        return valueMetric(spec.object?.target, st?.object?.current, Boolean(st?.object));
      case 'Pods': {
        const cur = st?.pods ? quantityPointer(st.pods.current?.averageValue) : '<unknown>';
        return `${cur}/${quantityPointer(spec.pods?.target?.averageValue)}`;
      }
      case 'Resource':
        return resourceMetric(spec.resource?.name ?? '', spec.resource?.target, st?.resource?.current, Boolean(st?.resource));
      case 'ContainerResource': {
        const r = spec.containerResource;
        return resourceMetric(r?.name ?? '', r?.target, st?.containerResource?.current, Boolean(st?.containerResource));
      }
      default:
        return '<unknown type>';
    }
  });
  const max = 2;
  const text = list.slice(0, max).join(', ');
  return list.length > max ? `${text} + ${list.length - max} more...` : text;
}

/**
 * horizontalpodautoscalers: Name, Reference (`Kind/name`), Targets, MinPods, MaxPods, Replicas,
 * Age. MaxPods and Replicas are integer cells although upstream's columns say string.
 */
export const horizontalPodAutoscalerPrinter: Printer = {
  columns: columns(
    NAME,
    column('Reference', DOC.hpaRef),
    column('Targets', DOC.hpaMetrics),
    column('MinPods', DOC.hpaMin),
    column('MaxPods', DOC.hpaMax),
    column('Replicas', DOC.hpaCurrent),
    AGE,
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const hpa = obj as HorizontalPodAutoscaler;
    const ref = hpa.spec?.scaleTargetRef;
    const [specs, statuses] = metricsOf(hpa);
    return [
      hpa.metadata?.name ?? '',
      `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
      formatMetrics(specs, statuses),
      String(hpa.spec?.minReplicas ?? 1),
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      age(hpa, now),
    ];
  },
};

/** intstr.IntOrString.String(), or `N/A` when unset. */
const intOrString = (v: number | string | undefined): string => (v === undefined || v === null ? 'N/A' : String(v));

/** poddisruptionbudgets: Name, Min Available, Max Unavailable, Allowed Disruptions, Age. */
export const podDisruptionBudgetPrinter: Printer = {
  columns: columns(
    NAME,
    column('Min Available', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
    integer('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.'),
    AGE,
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const pdb = obj as PodDisruptionBudget;
    return [
      pdb.metadata?.name ?? '',
      intOrString(pdb.spec?.minAvailable),
      intOrString(pdb.spec?.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      age(pdb, now),
    ];
  },
};
