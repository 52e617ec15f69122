import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, describe, expect, it } from "vitest";
import { resultFiles } from "../../flows/lib/result-files.ts";

const dir = mkdtempSync(join(tmpdir(), "stepflow-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("resultFiles", () => {
  it("writes bytes next to the local results store when there is no bucket", async () => {
    const where = await resultFiles({ env: {}, dir }).put(
      "runs/f/files/a.bin",
      new Uint8Array([1, 2, 3]),
      "application/octet-stream",
    );

    expect(where).toBe(join(dir, "results", "runs/f/files/a.bin"));
    expect([...readFileSync(where)]).toStrictEqual([1, 2, 3]);
  });

  it("refuses keys that leave the store folder", async () => {
    await expect(
      resultFiles({ env: {}, dir }).put("../outside.bin", new Uint8Array([1]), "application/octet-stream"),
    ).rejects.toThrow(/points outside/);
  });

  it("puts the object in the results bucket when STEPFLOW_RESULTS_BUCKET is set", async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    const bytes = new Uint8Array([80, 65, 82, 49]);

    const where = await resultFiles({ env: { STEPFLOW_RESULTS_BUCKET: "results-bucket" } }).put(
      "runs/market-data/files/x.parquet",
      bytes,
      "application/vnd.apache.parquet",
    );

    expect(where).toBe("s3://results-bucket/runs/market-data/files/x.parquet");
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toStrictEqual([
      {
        Bucket: "results-bucket",
        Key: "runs/market-data/files/x.parquet",
        Body: bytes,
        ContentType: "application/vnd.apache.parquet",
      },
    ]);
    s3.restore();
  });
});
