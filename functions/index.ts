/**
 * stepflow's runtime (`stepflow/runtime`): the task, recorder and notifier Lambda entries, and the stores
 * they use. Lambda bundles import this entry; it never pulls in aws-cdk-lib, the compiler or the CLI.
 * @example
 * import { lambdaHandler } from "stepflow/runtime";
 * import { getData } from "./flows/crypto.ts";
 * export const handler = lambdaHandler(getData);
 */

export {
  PayloadError,
  ResultNotFoundError,
  SecretNotFoundError,
  SecretsFileError,
  StoreError,
  TaskTimeoutError,
  UnknownTaskError,
} from "./errors.ts";
export type { LambdaOptions, NotifierLambdaHandler, RecorderLambdaHandler, TaskLambdaHandler } from "./lambda.ts";
export { createNotifierHandler, createRecorderHandler, lambdaHandler, notifierHandler, recorderHandler } from "./lambda.ts";
export type { ExecutionStatusDetail, ExecutionStatusEvent, Recorder, RecorderDeps } from "./recorder.ts";
export type { NotifyConfig } from "../sdk/core/notify-config.ts";
export { createRecorder } from "./recorder.ts";
export type { NotifierDeps, NotifyResult } from "./notifier.ts";
export { createNotifier } from "./notifier.ts";
export type { AwsCacheLeaseOptions } from "./stores/aws-cache-lease.ts";
export { awsCacheLease } from "./stores/aws-cache-lease.ts";
export type { AwsHistoryStoreOptions } from "./stores/aws-history-store.ts";
export { awsHistoryStore } from "./stores/aws-history-store.ts";
export type { AwsNoticeLedgerOptions } from "./stores/aws-notice-ledger.ts";
export { awsNoticeLedger } from "./stores/aws-notice-ledger.ts";
export type { AwsResultStoreOptions } from "./stores/aws-result-store.ts";
export { awsResultStore } from "./stores/aws-result-store.ts";
export type { AwsSecretStoreOptions } from "./stores/aws-secret-store.ts";
export { awsSecretStore } from "./stores/aws-secret-store.ts";
export type { StoreCallPolicy } from "./stores/types.ts";
export { localCacheLease } from "./stores/local-cache-lease.ts";
export type { LocalHistoryOptions, LocalHistoryStore } from "./stores/local-history-store.ts";
export { localHistoryStore } from "./stores/local-history-store.ts";
export type { LocalStoreOptions } from "./stores/local-result-store.ts";
export { localDir, localResultStore } from "./stores/local-result-store.ts";
export type { LocalSecretStoreOptions } from "./stores/local-secret-store.ts";
export { localSecretStore } from "./stores/local-secret-store.ts";
export type { AwsStoresOptions, Stores } from "./stores/stores.ts";
export { awsStores, localStores } from "./stores/stores.ts";
export type {
  CacheEntry,
  CacheLeaseStore,
  CacheStore,
  FlowRunRecord,
  HistoryStore,
  LeaseState,
  NoticeKey,
  NoticeLedger,
  ResultStore,
  RunDetails,
  RunQuery,
  SecretStore,
  TaskRunRecord,
} from "./stores/types.ts";
export type { TaskHandler, TaskHandlerDeps, TaskLookup } from "./task-handler.ts";
export { createTaskHandler } from "./task-handler.ts";
export type { RunStatus, TaskRunStatus } from "../sdk/core/status.ts";
