import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runLocal } from "../../sdk/local/index.ts";
import { brittleMap, refsMap, wideMap } from "../fixtures/limit-flows.ts";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "stepflow-strict-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("local runs enforce Step Functions' limits", () => {
  it("fails a Map whose output crosses 256 KB with States.DataLimitExceeded, naming the Map and the fix", async () => {
    const xs = Array.from({ length: 1300 }, (_, i) => i);
    const run = await runLocal(refsMap, { xs }, { dir });
    const state = "map pad-with-a-long-name-so-that-each-stored-reference-takes-room";
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "States.DataLimitExceeded", state });
    expect(run.error?.message).toMatch(/output of state `map pad-with-.*` is [\d,]+ bytes .*`large: true`/);
  });

  it("reports what a run used: history events, transitions and the largest state data", async () => {
    const run = await runLocal(wideMap, { n: 100 }, { dir });
    expect(run.status).toBe("SUCCEEDED");
    // Execution 2, `count` 5, the Map 4, and per item 2 iteration events plus the task's 5.
    expect(run.stats).toStrictEqual({
      historyEvents: 2 + 5 + 4 + 100 * 7,
      transitions: 1 + 1 + 100, // `count`, the Map, each item's task
      maxStateBytes: run.stats.maxStateBytes,
      maxStateBytesAt: "map pad",
      maxTaskEventBytes: run.stats.maxTaskEventBytes,
    });
    expect(run.stats.maxStateBytes).toBeGreaterThan(100 * 250);
    expect(run.stats.maxStateBytes).toBeLessThan(100 * 280);
  });

  it("stops starting Map items once an item failed the Map", async () => {
    const run = await runLocal(brittleMap, { n: 300, failAt: 5 }, { dir });
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "Error", message: "item 5 is broken", mapIndex: 5 });
    // Items 0-8 at most were started (4 at a time) when item 5 failed; none after.
    const started = run.tasks.filter((t) => t.state === "brittle");
    expect(started.length).toBeLessThanOrEqual(9);
  });
});
