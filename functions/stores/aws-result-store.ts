import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import type { Json } from "../../sdk/graph/types.ts";
import { ResultNotFoundError } from "../errors.ts";
import { denialOf } from "../private/access-denied.ts";
import { lazy } from "../private/lazy.ts";
import type { ResultStore } from "./types.ts";

/** Options of the S3 results store. */
export interface AwsResultStoreOptions {
  /** The results bucket (env `STEPFLOW_RESULTS_BUCKET` in task Lambdas). */
  readonly bucket: string;
  /** A ready client (tests, custom middleware). @default a client built from `clientConfig` on first use */
  readonly client?: S3Client;
  /** Config of the client built on first use (region, endpoint...). @default {} */
  readonly clientConfig?: S3ClientConfig;
}

const FIX =
  "the task's role may use only its flow's `runs/` and its own `cache/` prefix (FlowStack grants them); check the bucket and key, or the role";

/**
 * Results as S3 objects in the results bucket, keyed as `resultKey` says. The client (and the
 * S3 SDK module) is loaded on first use, so tasks that never store a result do not pay for it.
 */
export function awsResultStore(options: AwsResultStoreOptions): ResultStore {
  const s3 = lazy(async () => {
    const sdk = await import("@aws-sdk/client-s3");
    return { sdk, client: options.client ?? new sdk.S3Client(options.clientConfig ?? {}) };
  });
  const { bucket } = options;
  return {
    async get(key) {
      const { sdk, client } = await s3();
      try {
        const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
        return JSON.parse((await out.Body?.transformToString("utf-8")) ?? "null") as Json;
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
      try {
        await client.send(
          new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/json" }),
        );
      } catch (error) {
        throw denialOf(error, "s3:PutObject", `s3://${bucket}/${key}`, FIX);
      }
      return Buffer.byteLength(body);
    },
  };
}
