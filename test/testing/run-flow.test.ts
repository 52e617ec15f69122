import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { cryptoDip, getData, type Price, postToSlack } from "../../flows/crypto-dip.ts";
import { flow, ParamsError, task, UsageError } from "../../sdk/index.ts";
import { override, runFlow } from "../../sdk/testing/index.ts";

const HOUR = 3_600_000;
const dip: Price[] = [
  [0, 100],
  [HOUR, 80],
];
const flat: Price[] = [
  [0, 100],
  [HOUR, 99],
];

describe("runFlow", () => {
  it("runs a flow with a task replaced, and tells which tasks ran in what order", async () => {
    const post = vi.fn(async (_webhook: string, coin: string) => ({ posted: true, text: coin }));
    const run = await runFlow(
      cryptoDip,
      { coin: "BTC" },
      {
        overrides: [override(getData, async () => dip), override(postToSlack, post)],
        secrets: { "slack-webhook": "https://hooks.example/T1" },
      },
    );
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toBe(true);
    expect(run.order()).toStrictEqual(["get-data", "detect-dip", "post-to-slack"]);
    expect(run.ran(postToSlack)).toBe(true);
    expect(run.attempts("get-data")).toBe(1);
    expect(post).toHaveBeenCalledWith("https://hooks.example/T1", "BTC", dip);
  });

  it("skips the branch a condition does not take", async () => {
    const run = await runFlow(cryptoDip, { coin: "BTC" }, { overrides: { "get-data": async () => flat } });
    expect(run.result).toBe(false);
    expect(run.ran("post-to-slack")).toBe(false);
    expect(run.order()).toStrictEqual(["get-data", "detect-dip"]);
  });

  it("counts the attempts of a retried task, without waiting its retry delay", async () => {
    let calls = 0;
    const flaky = async () => {
      if (++calls < 3) throw new Error(`CoinGecko answered 503 (call ${calls})`);
      return flat;
    };
    const t0 = Date.now();
    const run = await runFlow(cryptoDip, {}, { overrides: [override(getData, flaky)] });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.attempts(getData)).toBe(3);
    expect(run.calls(getData).map((c) => c.status)).toStrictEqual(["FAILED", "FAILED", "SUCCEEDED"]);
    expect(run.calls(getData)[0].error?.message).toBe("CoinGecko answered 503 (call 1)");
    expect(Date.now() - t0).toBeLessThan(5000); // the real retry delay is 10 seconds
  });

  it("restores the real task functions after the run, also when it fails", async () => {
    const real = getData.fn;
    const failing = async (): Promise<Price[]> => {
      throw new Error("down");
    };
    const run = await runFlow(cryptoDip, {}, { overrides: [override(getData, failing)] });
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ task: "get-data", message: "down" });
    expect(run.attempts(getData)).toBe(4);
    expect(getData.fn).toBe(real);
  });

  it("keeps the overrides of concurrent runs apart", async () => {
    const [a, b] = await Promise.all([
      runFlow(cryptoDip, {}, { overrides: [override(getData, async () => dip)], missingSecrets: "empty" }),
      runFlow(cryptoDip, {}, { overrides: [override(getData, async () => flat)] }),
    ]);
    expect([a.result, b.result]).toStrictEqual([true, false]);
  });

  it("rejects an override of a task the flow never calls, naming the flow's tasks", async () => {
    await expect(runFlow(cryptoDip, {}, { overrides: { "get-date": async () => flat } })).rejects.toThrow(
      UsageError,
    );
    await expect(runFlow(cryptoDip, {}, { overrides: { "get-date": async () => flat } })).rejects.toThrow(
      /calls no task named `get-date`; override one of its tasks: detect-dip, get-data, post-to-slack/,
    );
  });

  it("fails a task whose secret the test did not give, and says how to give it", async () => {
    const run = await runFlow(cryptoDip, {}, { overrides: [override(getData, async () => dip)] });
    expect(run.status).toBe("FAILED");
    expect(run.error?.task).toBe("post-to-slack");
    expect(run.error?.message).toMatch(/secret `slack-webhook` is not set in this test.*secrets:/);
  });

  it("rejects bad params naming every bad field", async () => {
    await expect(runFlow(cryptoDip, { threshold: -1, source: "ftp" } as never)).rejects.toThrow(ParamsError);
  });

  it("counts attempts per map item", async () => {
    const tries = new Map<number, number>();
    const square = task("square", { retries: 2 }, (n: number) => n * n);
    const squares = flow("squares", { params: z.object({ xs: z.array(z.number()) }) }, ({ xs }) =>
      square.map(xs),
    );
    const run = await runFlow(
      squares,
      { xs: [1, 2, 3] },
      {
        overrides: [
          override(square, (n) => {
            tries.set(n, (tries.get(n) ?? 0) + 1);
            if (n === 2 && tries.get(n) === 1) throw new Error("flaky");
            return n * n;
          }),
        ],
      },
    );
    expect(run.result).toStrictEqual([1, 4, 9]);
    expect(run.attempts(square, 1)).toBe(2);
    expect(run.attempts(square, 0)).toBe(1);
    expect(run.attempts(square)).toBe(4);
    expect(run.order()).toStrictEqual(["square"]);
  });

  it("runs tasks that call AWS against aws-sdk-client-mock", async () => {
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand, { Bucket: "prices", Key: "BTC.json" }).resolves({
      Body: { transformToString: async () => JSON.stringify(dip) } as never,
    });
    const readPrices = task("read-prices", async (coin: string): Promise<Price[]> => {
      const out = await new S3Client({ region: "us-east-1" }).send(
        new GetObjectCommand({ Bucket: "prices", Key: `${coin}.json` }),
      );
      return JSON.parse((await out.Body?.transformToString()) ?? "[]") as Price[];
    });
    const fromS3 = flow("from-s3", { params: z.object({ coin: z.string() }) }, ({ coin }) =>
      readPrices(coin),
    );
    const run = await runFlow(fromS3, { coin: "BTC" });
    expect(run.result).toStrictEqual(dip);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toStrictEqual({
      Bucket: "prices",
      Key: "BTC.json",
    });
    s3.restore();
  });
});
