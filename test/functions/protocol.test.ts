import { describe, expect, it } from "vitest";
import { createTaskHandler } from "../../functions/index.ts";
import { resolveOutput } from "../../functions/resolve-output.ts";
import { task } from "../../sdk/define/task.ts";
import { INLINE_LIMIT_BYTES, ITEM_INLINE_LIMIT_BYTES, PAYLOAD_LIMIT_BYTES } from "../../sdk/core/protocol.ts";
import { memoryHistory, memoryResults, memorySecrets, quietLogger } from "./support/memory-stores.ts";
import { request } from "./support/request.ts";

/** A JSON string value whose JSON is exactly `bytes` long. */
const sized = (bytes: number) => "x".repeat(bytes - 2);
const echo = task("echo", (x: unknown) => x);
const nothing = task("nothing", () => undefined);
const list = task("list", (n: number, size: number) =>
  Array.from({ length: n }, (_, i) => `${i}`.padEnd(size, "-")),
);

function setup() {
  const results = memoryResults();
  const history = memoryHistory();
  const handle = createTaskHandler({
    tasks: { echo, nothing, list },
    results,
    history,
    secrets: memorySecrets({ token: "s3cr3t-token" }),
    logger: quietLogger(),
  });
  return { results, history, handle };
}

describe("result envelopes", () => {
  it("keeps a result of exactly the inline limit inline and stores one byte more", async () => {
    const { handle, results } = setup();
    expect(await handle(request("echo", [{ v: sized(INLINE_LIMIT_BYTES) }]))).toStrictEqual({
      v: sized(INLINE_LIMIT_BYTES),
    });
    const big = await handle(request("echo", [{ v: sized(INLINE_LIMIT_BYTES + 1) }], { run: "r2" }));
    expect(big).toStrictEqual({ s3: "runs/f/r2/echo/0.json", bytes: INLINE_LIMIT_BYTES + 1 });
    expect(results.data.get("runs/f/r2/echo/0.json")).toBe(JSON.stringify(sized(INLINE_LIMIT_BYTES + 1)));
  });

  it("uses the smaller item limit inside a Map iteration and keys the result by map index", async () => {
    const { handle } = setup();
    const at = { index: 7 };
    expect(await handle(request("echo", [{ v: sized(ITEM_INLINE_LIMIT_BYTES) }], at))).toStrictEqual({
      v: sized(ITEM_INLINE_LIMIT_BYTES),
    });
    expect(await handle(request("echo", [{ v: sized(ITEM_INLINE_LIMIT_BYTES + 1) }], at))).toStrictEqual({
      s3: "runs/f/r1/echo/7.json",
      bytes: ITEM_INLINE_LIMIT_BYTES + 1,
    });
  });

  it("turns an undefined result into null", async () => {
    expect(await setup().handle(request("nothing"))).toStrictEqual({ v: null });
  });

  it("returns items for an inline Map, storing large items under <index>-<i>.json", async () => {
    const { handle, results } = setup();
    const out = await handle(request("list", [{ v: 3 }, { v: 300 }], { out: ["items"], index: 2 }));
    expect(out).toStrictEqual({
      items: [0, 1, 2].map((i) => ({ s3: `runs/f/r1/list/2-${i}.json`, bytes: 302 })),
    });
    expect(await resolveOutput(results, out)).toHaveLength(3);
    const small = await handle(request("list", [{ v: 2 }, { v: 1 }], { out: ["items"] }));
    expect(small).toStrictEqual({ items: [{ v: "0" }, { v: "1" }] });
  });

  it("fails a list with too many items for an inline Map and tells the user to declare it large", async () => {
    const { handle, results } = setup();
    await expect(handle(request("list", [{ v: 1001 }, { v: 1 }], { out: ["items"] }))).rejects.toThrow(
      /1001 items, too many for an inline Map \(at most 1000 items.*`large: true`/,
    );
    expect(results.puts).toBe(0);
  });

  it("stores every item when inline items would overflow the payload, and fails when references would too", async () => {
    const results = memoryResults();
    const handle = createTaskHandler({
      tasks: { list },
      results,
      history: memoryHistory(),
      secrets: memorySecrets({}),
      limits: { maxItems: 100_000 },
      logger: quietLogger(),
    });
    const out = await handle(request("list", [{ v: 2000 }, { v: 200 }], { out: ["items"] }));
    expect("items" in out && out.items.every((e) => "s3" in e)).toBe(true);
    expect(JSON.stringify(out).length).toBeLessThanOrEqual(PAYLOAD_LIMIT_BYTES);
    const puts = results.puts;
    await expect(handle(request("list", [{ v: 6000 }, { v: 200 }], { out: ["items"] }))).rejects.toThrow(
      /6000 items.*item references alone exceed the 262144-byte payload limit.*`large: true`/,
    );
    expect(results.puts).toBe(puts);
  });

  it("stores a small result when the hint is `stored`", async () => {
    expect(await setup().handle(request("echo", [{ v: 1 }], { out: ["stored"] }))).toStrictEqual({
      s3: "runs/f/r1/echo/0.json",
      bytes: 1,
    });
  });

  it("inlines a large result when the hint is `inline`, and fails clearly past the payload limit", async () => {
    const { handle } = setup();
    const mid = sized(10_000);
    expect(await handle(request("echo", [{ v: mid }], { out: ["inline"] }))).toStrictEqual({ v: mid });
    await expect(
      handle(request("echo", [{ v: sized(PAYLOAD_LIMIT_BYTES + 1) }], { out: ["inline"] })),
    ).rejects.toThrow(/over the 262144-byte Step Functions payload limit.*must travel inline/);
  });

  it("counts the `{\"v\":...}` wrapper against the payload limit of an `inline` result", async () => {
    const { handle } = setup();
    const wrapper = JSON.stringify({ v: null }).length - JSON.stringify(null).length;
    const fits = sized(PAYLOAD_LIMIT_BYTES - wrapper);
    expect(await handle(request("echo", [{ v: fits }], { out: ["inline"] }))).toStrictEqual({ v: fits });
    const over = handle(request("echo", [{ v: sized(PAYLOAD_LIMIT_BYTES - wrapper + 1) }], { out: ["inline"] }));
    await expect(over).rejects.toThrow(/over the 262144-byte Step Functions payload limit.*must travel inline/);
    await expect(over).rejects.not.toThrow(/stepflow bug/);
  });

  it("fails a `boolean` hint when the result is not a boolean", async () => {
    const { handle } = setup();
    expect(await handle(request("echo", [{ v: true }], { out: ["boolean"] }))).toStrictEqual({ v: true });
    await expect(handle(request("echo", [{ v: "yes" }], { out: ["boolean"] }))).rejects.toThrow(
      /task `echo` \(state `echo`\) returned `"yes"` \(string\) but its result decides a `when\(\.\.\.\)`/,
    );
  });

  it("rejects a result that is not JSON", async () => {
    const bad = task("bad", () => ({ n: 1n }));
    const handle = createTaskHandler({
      tasks: { bad },
      results: memoryResults(),
      history: memoryHistory(),
      secrets: memorySecrets({}),
      logger: quietLogger(),
    });
    await expect(handle(request("bad"))).rejects.toThrow(/not JSON-serialisable/);
  });
});

describe("input resolution", () => {
  it("resolves inline, stored, item lists and Map rows", async () => {
    const { handle, results } = setup();
    await results.put("k/a.json", { big: true });
    await results.put("k/b.json", "stored-item");
    const out = await handle(
      request("echo", [
        {
          rows: [{ c: { v: 1 } }, { c: { s3: "k/b.json", bytes: 13 } }, { c: { items: [{ v: 2 }] } }],
          col: "c",
        },
      ]),
    );
    expect(out).toStrictEqual({ v: [1, "stored-item", [2]] });
    const env = await handle(request("echo", [{ env: { s3: "k/a.json", bytes: 12 } }]));
    expect(env).toStrictEqual({ v: { big: true } });
  });

  it("reads a Distributed Map manifest, then its result files, in item order", async () => {
    const { handle, results } = setup();
    const entry = (index: number, out: object) => ({
      Input: JSON.stringify({ run: "r1", index, item: {} }),
      Output: JSON.stringify(out),
      Status: "SUCCEEDED",
    });
    await results.put("runs/f/r1/g/m/SUCCEEDED_0.json", [
      entry(1, { c: { v: "b" } }),
      entry(2, { c: { s3: "k/c.json", bytes: 3 } }),
    ]);
    await results.put("runs/f/r1/g/m/SUCCEEDED_1.json", [entry(0, { c: { v: "a" } })]);
    await results.put("k/c.json", "c");
    await results.put("runs/f/r1/g/m/manifest.json", {
      DestinationBucket: "b",
      ResultFiles: {
        FAILED: [],
        PENDING: [],
        SUCCEEDED: [
          { Key: "runs/f/r1/g/m/SUCCEEDED_0.json", Size: 1 },
          { Key: "runs/f/r1/g/m/SUCCEEDED_1.json", Size: 1 },
        ],
      },
    });
    const out = await handle(
      request("echo", [{ manifest: { Bucket: "b", Key: "runs/f/r1/g/m/manifest.json" }, col: "c" }]),
    );
    expect(out).toStrictEqual({ v: ["a", "b", "c"] });
  });

  it("fails when lockstep lists have different lengths, naming the state and the lengths", async () => {
    await expect(
      setup().handle(request("echo", [{ v: 1 }], { state: "echo-2", lengths: [3, 4] })),
    ).rejects.toThrow(/state `echo-2` maps over lists of different lengths \(3, 4\)/);
  });

  it("passes secret values to the task", async () => {
    const keep = task("keep", (s: string) => s.length);
    const handle = createTaskHandler({
      tasks: { keep },
      results: memoryResults(),
      history: memoryHistory(),
      secrets: memorySecrets({ token: "s3cr3t-token" }),
      logger: quietLogger(),
    });
    expect(await handle(request("keep", [{ secret: "token" }]))).toStrictEqual({ v: 12 });
  });
});

describe("history records", () => {
  it("records RUNNING then SUCCEEDED with a summarised result reference", async () => {
    const { handle, history } = setup();
    await handle(request("echo", [{ v: sized(1000) }], { attempt: 2, index: 4 }));
    expect(history.writes.map((w) => w.status)).toStrictEqual(["RUNNING", "SUCCEEDED"]);
    const done = history.writes[1];
    expect(done).toMatchObject({
      flow: "f",
      runId: "r1",
      task: "echo",
      state: "echo",
      mapIndex: 4,
      attempt: 2,
    });
    expect(done.result).toStrictEqual({ s3: "runs/f/r1/echo/4.json", bytes: 1000 });
    expect(typeof done.durationMs).toBe("number");
  });
});
