/**
 * The default pod lifecycle of a simulated node (kwok's `stage/pod/general`, reduced), pinned by
 * test/controllers/nodes/testdata/default-stages.json:
 *
 *   deleting                               → delete (grace 0)
 *   Pending                                → Running, Ready (after kubemu.dev/start-after-ms);
 *                                            containers print kubemu.dev/log (every kubemu.dev/log-interval-ms)
 *   Running, kubemu.dev/exit = "0"         → Succeeded (after kubemu.dev/exit-after-ms)
 *   Running, kubemu.dev/exit ≠ "0"         → Failed, exit code = the annotation
 *
 * Owns: the default stage data. Must not: hold logic.
 */
import type { Stage } from './stages.js';

/** Annotation that makes a pod's containers exit with that code. */
export const EXIT_ANNOTATION = 'kubemu.dev/exit';

/** Annotation holding what a pod's containers print (`<key>.<container>` for one container). */
export const LOG_ANNOTATION = 'kubemu.dev/log';

/** The default stages. */
export const DEFAULT_STAGES: readonly Stage[] = [
  { name: 'pod-delete', selector: { deleting: true }, next: { delete: true } },
  {
    name: 'pod-ready',
    selector: { phases: ['Pending'], deleting: false },
    delayFromAnnotation: 'kubemu.dev/start-after-ms',
    next: { phase: 'Running' },
    log: { fromAnnotation: LOG_ANNOTATION, intervalFromAnnotation: 'kubemu.dev/log-interval-ms' },
  },
  {
    name: 'pod-complete',
    selector: { phases: ['Running'], deleting: false, annotations: [{ key: EXIT_ANNOTATION, operator: 'In', values: ['0'] }] },
    delayFromAnnotation: 'kubemu.dev/exit-after-ms',
    next: { phase: 'Succeeded' },
  },
  {
    name: 'pod-failed',
    selector: {
      phases: ['Running'],
      deleting: false,
      annotations: [
        { key: EXIT_ANNOTATION, operator: 'Exists' },
        { key: EXIT_ANNOTATION, operator: 'NotIn', values: ['0'] },
      ],
    },
    delayFromAnnotation: 'kubemu.dev/exit-after-ms',
    next: { phase: 'Failed' },
  },
];
