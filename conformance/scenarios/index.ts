/**
 * Conformance scenarios: the suite, in the order it runs (cheap discovery first, then objects);
 * the runner takes the httpOnly ones out and runs them once, before the per-version passes.
 * Must not: hold scenario logic.
 */
import type { Scenario } from '../harness.js';
import { apiResources } from './api-resources.js';
import { canI, canIList, whoami } from './auth.js';
import { clientCertificateUser, serviceAccountToken } from './auth-credentials.js';
import { configMapRoundTrip } from './configmap.js';
import { crdCronTab, crdWidget } from './crd.js';
import {
  deploymentDeleteCascade,
  deploymentDescribeEvents,
  deploymentHistoryUndo,
  deploymentRollout,
  deploymentScalePauseRestart,
  namespaceDelete,
  namespaceTerminating,
  serviceAccountDefaults,
} from './controllers.js';
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
import {
  allNamespaces,
  chunkSize,
  columnsConfigMapSecretNamespace,
  columnsDeployment,
  columnsPod,
  columnsService,
  columnsServiceNodePort,
  labelColumns,
  outputFormats,
  sortBy,
} from './reads.js';
import {
  continueErrors,
  continueResourceVersionZero,
  expiredContinue,
  fieldSelectors,
  labelSelectorSets,
  pagination,
  partialObjectMetadata,
  resourceVersionMatch,
  tables,
} from './reads-http.js';
import { scaleDeployment } from './scale.js';
import { httpVersion, kubectlVersion } from './version.js';
import { getWatch, getWatchEvents, waitForCondition, waitForDelete, waitForJsonPath } from './watch.js';
import { applyClientSide, applyClientToServerSide, applyServerSide, createReplace, createTyped, diffDeployment, dryRunServer, patchTypes } from './writes.js';
import { emptyMapsOmitted, explainFieldDescriptions, explainStrategy, invalidSelector, unknownField, writesHttp } from './writes-validation.js';
import { watchBookmark, watchBookmarkPeriodic, watchEvents, watchInitialState, watchTable, watchTooOld } from './watch-http.js';

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
  columnsConfigMapSecretNamespace,
  columnsPod,
  columnsDeployment,
  columnsService,
  columnsServiceNodePort,
  allNamespaces,
  labelColumns,
  sortBy,
  outputFormats,
  chunkSize,
  getWatch,
  getWatchEvents,
  waitForDelete,
  waitForJsonPath,
  waitForCondition,
  labelSelectorSets,
  fieldSelectors,
  pagination,
  continueErrors,
  continueResourceVersionZero,
  resourceVersionMatch,
  expiredContinue,
  tables,
  partialObjectMetadata,
  watchEvents,
  watchInitialState,
  watchBookmark,
  watchBookmarkPeriodic,
  watchTooOld,
  watchTable,
  writesHttp,
  applyClientSide,
  applyServerSide,
  applyClientToServerSide,
  createReplace,
  patchTypes,
  diffDeployment,
  dryRunServer,
  createTyped,
  invalidSelector,
  unknownField,
  explainStrategy,
  explainFieldDescriptions,
  emptyMapsOmitted,
  serviceAccountDefaults,
  deploymentRollout,
  deploymentDescribeEvents,
  deploymentHistoryUndo,
  deploymentScalePauseRestart,
  deploymentDeleteCascade,
  namespaceDelete,
  namespaceTerminating,
  whoami,
  canI,
  canIList,
  serviceAccountToken,
  clientCertificateUser,
  crdCronTab,
  crdWidget,
];
