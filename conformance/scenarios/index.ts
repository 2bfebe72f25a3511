/**
 * Conformance scenarios: the suite, in the order it runs (cheap discovery first, then objects).
 * Must not: hold scenario logic.
 */
import type { Scenario } from '../harness.js';
import { apiResources } from './api-resources.js';
import { configMapRoundTrip } from './configmap.js';
import {
  alreadyExistsCreateConfigMap,
  alreadyExistsCreateFile,
  conflictStaleReplace,
  invalidName,
  invalidNameCreateConfigMap,
  notFound,
} from './errors.js';
import { aggregatedDiscovery, healthz, legacyRoots, resourceLists } from './http-discovery.js';
import { badToken, bodyTooLarge, malformedJson, noCredentials, unknownResource } from './http-errors.js';
import { invalidLabelKey, invalidLabelValue } from './labels.js';
import { systemNamespaces } from './namespaces.js';
import { scaleDeployment } from './scale.js';
import { httpVersion, kubectlVersion } from './version.js';

/** Every scenario of the suite. */
export const scenarios: Scenario[] = [
  httpVersion,
  healthz,
  legacyRoots,
  resourceLists,
  aggregatedDiscovery,
  noCredentials,
  badToken,
  bodyTooLarge,
  malformedJson,
  unknownResource,
  kubectlVersion,
  apiResources,
  systemNamespaces,
  configMapRoundTrip,
  notFound,
  alreadyExistsCreateConfigMap,
  alreadyExistsCreateFile,
  conflictStaleReplace,
  invalidName,
  invalidNameCreateConfigMap,
  invalidLabelKey,
  invalidLabelValue,
  scaleDeployment,
];
