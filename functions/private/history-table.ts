/**
 * The history table as the DynamoDB stores reach it: one document client built on first use
 * (the SDK modules load only then), every call through `storeCall`, and the items' TTL.
 */
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DEFAULT_HISTORY_TTL_DAYS } from "../../sdk/core/deploy-names.ts";
import { lazy } from "./lazy.ts";
import type { StoreCallPolicy } from "../stores/types.ts";
import { STORE_CLIENT_CONFIG, storeCall } from "./store-call.ts";

/** Options of a store kept in the history table. */
export interface HistoryTableOptions {
  /** The history table (env `STEPFLOW_HISTORY_TABLE`). */
  readonly table: string;
  /** Records expire (TTL attribute `expiresAt`) this many days after they are written. @default 90 */
  readonly ttlDays?: number;
  /** A ready document client (tests, custom middleware). @default one built from `clientConfig` on first use */
  readonly client?: DynamoDBDocumentClient;
  /** Config of the client built on first use. @default {} */
  readonly clientConfig?: DynamoDBClientConfig;
  /** Current time in epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** Time limit and retries of each DynamoDB call. @default see `StoreCallPolicy` */
  readonly retry?: StoreCallPolicy;
}

/** The table's client, its calls and its TTL. */
export interface HistoryTable {
  /** The document client and `@aws-sdk/lib-dynamodb` (for its commands), loaded on first use. */
  readonly ddb: () => Promise<{ lib: typeof import("@aws-sdk/lib-dynamodb"); client: DynamoDBDocumentClient }>;
  /** Sends one request through `storeCall`, named for its errors. */
  call<T>(operation: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T>;
  /** The `expiresAt` of an item written now (epoch seconds). */
  expiresAt(): number;
  readonly clock: () => number;
}

/** The history table of `options`. */
export function historyTable(options: HistoryTableOptions): HistoryTable {
  const ttlSeconds = (options.ttlDays ?? DEFAULT_HISTORY_TTL_DAYS) * 86_400;
  const clock = options.clock ?? Date.now;
  const ddb = lazy(async () => {
    const lib = await import("@aws-sdk/lib-dynamodb");
    if (options.client) return { lib, client: options.client };
    const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
    const base = new DynamoDBClient({ ...STORE_CLIENT_CONFIG, ...options.clientConfig });
    return {
      lib,
      client: lib.DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    };
  });
  const target = `history table \`${options.table}\``;
  return {
    ddb,
    call: (operation, send) => storeCall({ store: "DynamoDB", operation, target }, options.retry ?? {}, send),
    expiresAt: () => Math.floor(clock() / 1000) + ttlSeconds,
    clock,
  };
}

/** Whether a conditional write was refused because its condition did not hold. */
export function conditionFailed(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === "ConditionalCheckFailedException";
}
