/** `stepflow retry <runId>` in-process through `main`: the failed run again, reusing what succeeded. */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cli } from "../support/cli.ts";
import { tempDir } from "../support/temp-dir.ts";

const FLOWS = "test/fixtures/retry-flows.ts";
const dir = tempDir("stepflow-cli-retry-");

afterEach(() => {
  delete process.env.STEPFLOW_TEST_BROKEN;
  delete process.env.STEPFLOW_TEST_DONE;
  delete process.env.STEPFLOW_TEST_OTHERS;
});

let breaks = 0;
/** Breaks `item`'s `check` call, which fails once the `others` calls that succeed in its run are done. */
function breakItem(item: string, others: number): void {
  process.env.STEPFLOW_TEST_BROKEN = item;
  process.env.STEPFLOW_TEST_DONE = join(dir, `done-${++breaks}`);
  process.env.STEPFLOW_TEST_OTHERS = String(others);
}

const runIdOf = (stderr: string) => /\(run (\S+)\)/.exec(stderr)?.[1];

interface RunJson {
  readonly result: number;
  readonly retryOf: string;
  readonly reused: { state: string; mapIndex?: number }[];
  readonly tasks: { state: string; mapIndex?: number; cached?: boolean }[];
}

/**
 * The task calls a run made, read from its attempts (`stepflow run` runs task functions in worker
 * threads, so the fixture's module state is not this test's): `check item-2`, `total`.
 */
const callsOf = (run: RunJson) => run.tasks.filter((t) => !t.cached).map((t) => (t.mapIndex === undefined ? t.state : `${t.state} item-${t.mapIndex}`));

describe("stepflow retry", () => {
  it("runs only the failed item and what follows it, and prints the result as `run` does", async () => {
    breakItem("item-2", 3); // check item-0, item-1, item-3
    const failed = await cli(["run", FLOWS, "--flow", "checked", "--dir", dir, "--json"]);
    expect(failed.code).toBe(1);
    const runId = runIdOf(failed.stderr)!;
    expect(callsOf(JSON.parse(failed.stdout) as RunJson)).toContain("check item-2");

    delete process.env.STEPFLOW_TEST_BROKEN;
    const retried = await cli(["retry", runId, "--dir", dir, "--json"]);
    expect(retried.code).toBe(0);
    const run = JSON.parse(retried.stdout) as RunJson;
    const calls = callsOf(run);
    expect(run.result).toBe(24);
    expect(run.retryOf).toBe(runId);
    // Items 0, 1 and 3 (if it started) and `items` were reused; item 2 and `total` ran.
    expect(calls).toContain("check item-2");
    expect(calls).toContain("total");
    expect(calls).not.toContain("items");
    expect(calls.filter((c) => c.startsWith("check")).length + run.reused.filter((r) => r.state === "check").length).toBe(4);
    expect(retried.stderr).toMatch(new RegExp(`retry of run ${runId}: \\d+ task calls reused`));
  });

  it("reuses a subflow that succeeded whole, and the succeeded tasks of the one that failed", async () => {
    breakItem("item-4", 7); // the n=2 subflow's 2 checks and total, the n=5 one's first 4 checks
    const failed = await cli(["run", FLOWS, "--flow", "twice", "--dir", dir]);
    expect(failed.code).toBe(1);
    const runId = runIdOf(failed.stderr)!;
    delete process.env.STEPFLOW_TEST_BROKEN;
    const retried = await cli(["retry", runId, "--dir", dir, "--json"]);
    expect(retried.code).toBe(0);
    const run = JSON.parse(retried.stdout) as RunJson;
    expect(run.result).toBe(12 + 30);
    // The n=2 subflow succeeded: nothing of it runs. The n=5 one runs again, reusing its items.
    expect(callsOf(run).sort()).toStrictEqual(["check item-4", "total", "total"]);
  });

  it("refuses a run that succeeded, and an unknown run, naming the fix", async () => {
    const ok = await cli(["run", FLOWS, "--flow", "checked", "--dir", dir]);
    const again = await cli(["retry", runIdOf(ok.stderr)!, "--dir", dir]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/cannot be retried: it succeeded/);
    const unknown = await cli(["retry", "checked-20250101T000000Z-aaaaaaaaaaaa", "--dir", dir]);
    expect(unknown.stderr).toMatch(/there is no local run `checked-20250101T000000Z-aaaaaaaaaaaa`.*`stepflow runs`/);
  });
});
