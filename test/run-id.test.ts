import { describe, expect, it } from "vitest";
import { UsageError } from "../sdk/core/errors.ts";
import { runLocal } from "../sdk/local/index.ts";
import { assertRunId, flowOfRunId, newRunId, runIdProblem } from "../sdk/core/run-id.ts";
import { memoryHistory, memoryResults } from "./functions/support/memory-stores.ts";
import { oneTask } from "./local/fixtures/history-flows.ts";

describe("run ids", () => {
  it("are readable `<flow>-<time>-<suffix>` within 80 allowed characters, the flow name recoverable", () => {
    const id = newRunId("crypto-dip", new Date("2025-05-01T12:00:00Z"));
    expect(id).toMatch(/^crypto-dip-20250501T120000Z-[a-z0-9]{12}$/);
    expect(flowOfRunId(id)).toBe("crypto-dip");
    expect(flowOfRunId("crypto-dip-20250501T120000Z-k3x9qa")).toBe("crypto-dip");
    const long = newRunId(`f${"o".repeat(90)}.x`);
    expect(long.length).toBe(80);
    expect(runIdProblem(long)).toBeUndefined();
    expect(flowOfRunId(long)).toBeUndefined();
  });

  it("do not collide in 100,000 ids made in the same second", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(newRunId("f", now));
    expect(ids.size).toBe(100_000);
  });

  it("do not collide in 500 local runs started back to back, each id the generator's", async () => {
    // The generator's collision resistance is the 100,000-id case above; this shows each local
    // run takes a fresh id of that form, many within one second (a time-based id would repeat).
    const results = memoryResults();
    const history = memoryHistory();
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const run = await runLocal(oneTask, {}, { stores: { results, history } });
      ids.add(run.runId);
    }
    expect(ids.size).toBe(500);
    expect(history.runs.size).toBe(500);
    for (const id of ids) expect(id).toMatch(/^one-task-\d{8}T\d{6}Z-[a-z0-9]{12}$/);
    expect(new Set([...ids].map((id) => id.slice(0, -13))).size).toBeLessThan(500);
  }, 120_000);

  it.each([
    [".", /`\.` and `\.\.` name folders/],
    ["..", /`\.` and `\.\.` name folders/],
    ["a/b", /contains "\/"/],
    ["a b", /contains " "/],
    ["", /0 characters, not 1-80/],
    ["x".repeat(81), /81 characters/],
  ])("refuse %j with the reason and the fix", (id, reason) => {
    expect(() => assertRunId(id, "a test")).toThrow(UsageError);
    expect(() => assertRunId(id, "a test")).toThrow(reason);
    expect(() => assertRunId(id, "a test")).toThrow(/use 1-80 letters, digits, `-` or `_`/);
  });
});
