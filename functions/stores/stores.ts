import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";
import { awsHistoryStore } from "./aws-history-store.ts";
import { awsResultStore } from "./aws-result-store.ts";
import { awsSecretStore } from "./aws-secret-store.ts";
import { localHistoryStore } from "./local-history-store.ts";
import type { LocalStoreOptions } from "./local-result-store.ts";
import { localResultStore } from "./local-result-store.ts";
import { type LocalSecretStoreOptions, localSecretStore } from "./local-secret-store.ts";
import type { StoreCallPolicy } from "./types.ts";
import type { HistoryStore, ResultStore, SecretStore } from "./types.ts";

/** The three stores a task handler needs. */
export interface Stores {
  readonly results: ResultStore;
  readonly history: HistoryStore;
  readonly secrets: SecretStore;
}

/** Options of the AWS stores. */
export interface AwsStoresOptions {
  readonly bucket: string;
  readonly table: string;
  /** @default "stepflow/" */
  readonly secretPrefix?: string;
  /** @default 90 */
  readonly historyTtlDays?: number;
  /** Time limit and retries of each S3 and DynamoDB call. @default see `StoreCallPolicy` */
  readonly retry?: StoreCallPolicy;
  /** Client configs (region, endpoint) for the clients built on first use. @default {} each */
  readonly clients?: {
    readonly s3?: S3ClientConfig;
    readonly dynamodb?: DynamoDBClientConfig;
    readonly secretsManager?: SecretsManagerClientConfig;
  };
}

/** S3 results, DynamoDB history and Secrets Manager secrets; no client is built before it is needed. */
export function awsStores(options: AwsStoresOptions): Stores {
  return {
    results: awsResultStore({ bucket: options.bucket, clientConfig: options.clients?.s3, retry: options.retry }),
    history: awsHistoryStore({
      table: options.table,
      ttlDays: options.historyTtlDays,
      clientConfig: options.clients?.dynamodb,
      retry: options.retry,
    }),
    secrets: awsSecretStore({ prefix: options.secretPrefix, clientConfig: options.clients?.secretsManager }),
  };
}

/** Files under `.stepflow/` (or `dir`): results, history, and secrets from env or `secrets.json`. */
export function localStores(options: LocalStoreOptions & LocalSecretStoreOptions = {}): Stores {
  return {
    results: localResultStore(options),
    history: localHistoryStore(options),
    secrets: localSecretStore(options),
  };
}
