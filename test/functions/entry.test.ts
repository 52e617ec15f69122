import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import * as runtime from "../../functions/index.ts";

const ENTRY = fileURLToPath(new URL("../../functions/index.ts", import.meta.url));

describe("runtime entry (functions/index.ts)", () => {
  it("names every export explicitly", () => {
    expect(readFileSync(ENTRY, "utf8")).not.toMatch(/export \*/);
    for (const name of [
      "lambdaHandler",
      "recorderHandler",
      "notifierHandler",
      "createRecorderHandler",
      "createNotifierHandler",
      "createTaskHandler",
      "createRecorder",
      "createNotifier",
    ]) {
      expect(typeof (runtime as Record<string, unknown>)[name]).toBe("function");
    }
  });

  it("bundles without aws-cdk-lib, the compiler, the CLI or zod", async () => {
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      metafile: true,
      logLevel: "silent",
      // The Lambda runtime provides the AWS SDK v3.
      external: ["@aws-sdk/*"],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(
      inputs.filter((i) => /aws-cdk-lib|constructs|sdk\/compile|sdk\/cli|commander|zod|esbuild/.test(i)),
    ).toStrictEqual([]);
    expect(inputs.some((i) => i.endsWith("functions/task-handler.ts"))).toBe(true);
  });
});
