import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { ResultNotFoundError } from "../errors.ts";
import { denialOf } from "../private/access-denied.ts";
import { lazy } from "../private/lazy.ts";
import { STORE_CLIENT_CONFIG, storeCall } from "../private/store-call.ts";
import type { ResultStore, StoreCallPolicy } from "./types.ts";
import type { Json } from "../../sdk/core/json.ts";

/** Options of the S3 results store. */
export interface AwsResultStoreOptions {
  /** The results bucket (env `STEPFLOW_RESULTS_BUCKET` in task Lambdas). */
  readonly bucket: string;
  /** A ready client (tests, custom middleware). @default a client built from `clientConfig` on first use */
  readonly client?: S3Client;
  /** Config of the client built on first use (region, endpoint...). @default {} */
  readonly clientConfig?: S3ClientConfig;
  /** Time limit and retries of each S3 call. @default 15 s per request, 4 attempts, 40 s in all */
  readonly retry?: StoreCallPolicy;
}

const FIX =
  "the task's role may use only its flow's `runs/` and its own `cache/` prefix (FlowStack grants them); check the bucket and key, or the role";

/** A result can be megabytes: each S3 request gets longer than a DynamoDB item write. */
const S3_POLICY: StoreCallPolicy = { timeoutMs: 15_000, attempts: 4, budgetMs: 40_000 };

/**
 * Results as S3 objects in the results bucket, keyed as `resultKey` says. The client (and the
 * S3 SDK module) is loaded on first use, so tasks that never store a result do not pay for it.
 */
export function awsResultStore(options: AwsResultStoreOptions): ResultStore {
  const s3 = lazy(async () => {
    const sdk = await import("@aws-sdk/client-s3");
    return { sdk, client: options.client ?? new sdk.S3Client({ ...STORE_CLIENT_CONFIG, ...options.clientConfig }) };
  });
  const { bucket } = options;
  const call = <T>(operation: string, key: string, send: (abortSignal: AbortSignal) => Promise<T>) =>
    storeCall({ store: "S3", operation, target: `\`s3://${bucket}/${key}\`` }, { ...S3_POLICY, ...options.retry }, send);
  return {
    async get(key) {
      const { sdk, client } = await s3();
      try {
        // The body is read inside the call: a connection cut mid-body is retried like any other.
        const text = await call("GetObject", key, async (abortSignal) => {
          const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
          return (await out.Body?.transformToString("utf-8")) ?? "null";
        });
        return JSON.parse(text) as Json;
      } catch (error) {
        if (error instanceof sdk.NoSuchKey || (error as { name?: string }).name === "NoSuchKey") {
          throw new ResultNotFoundError(
            `result \`s3://${bucket}/${key}\` does not exist; it expired (bucket lifecycle) or was never written, so run the flow again`,
            { cause: error },
          );
        }
        throw denialOf(error, "s3:GetObject", `s3://${bucket}/${key}`, FIX);
      }
    },
    async put(key, value) {
      const { sdk, client } = await s3();
      const body = JSON.stringify(value);
      const put = new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/json" });
      try {
        await call("PutObject", key, (abortSignal) => client.send(put, { abortSignal }));
      } catch (error) {
        throw denialOf(error, "s3:PutObject", `s3://${bucket}/${key}`, FIX);
      }
      return Buffer.byteLength(body);
    },
  };
}
