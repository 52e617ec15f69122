/**
 * Binary files (Parquet, CSV...) written next to the runtime's results: the results bucket on AWS
 * (env `STEPFLOW_RESULTS_BUCKET`, set on every task Lambda), `.stepflow/results/` locally, the
 * folder of the local results store. The runtime's `ResultStore` holds JSON values only, so files
 * use the same place and key layout but their own bytes.
 *
 * Task Lambdas may write only under `runs/<flow>/`, so keys start with that prefix.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { StepflowError } from "stepflow";
import { localDir } from "stepflow/runtime";

/** Writes files into the results store. */
export interface ResultFiles {
  /** Stores `bytes` under `key` and returns where: `s3://bucket/key` on AWS, a file path locally. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<string>;
}

/** Options of `resultFiles`. */
export interface ResultFilesOptions {
  /** Where `STEPFLOW_RESULTS_BUCKET` is read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The local store folder, when there is no bucket. @default `.stepflow` in the current directory */
  readonly dir?: string;
}

/** The results store for files: S3 when `STEPFLOW_RESULTS_BUCKET` is set, else local files. */
export function resultFiles(options: ResultFilesOptions = {}): ResultFiles {
  const bucket = (options.env ?? process.env).STEPFLOW_RESULTS_BUCKET;
  return bucket ? s3Files(bucket) : localFiles(join(localDir({ dir: options.dir }), "results"));
}

function localFiles(root: string): ResultFiles {
  return {
    async put(key, bytes) {
      const rel = normalize(key);
      if (isAbsolute(rel) || rel === ".." || rel.startsWith(`..${sep}`)) {
        throw new StepflowError(`file key \`${key}\` points outside \`${root}\`; use a relative key`);
      }
      const file = join(root, rel);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, bytes);
      return file;
    },
  };
}

function s3Files(bucket: string): ResultFiles {
  return {
    async put(key, bytes, contentType) {
      // Loaded on first use, like the runtime's S3 store: tasks that never write a file skip it.
      const sdk = await import("@aws-sdk/client-s3");
      s3 ??= new sdk.S3Client({});
      await s3.send(
        new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }),
      );
      return `s3://${bucket}/${key}`;
    },
  };
}

// One client per Lambda container, as the runtime keeps its clients.
let s3: S3Client | undefined;
