/** `stepflow graph`, `plan` and `runs` in-process through `main`. */
import { describe, expect, it } from "vitest";
import { cli } from "../support/cli.ts";
import { tempDir } from "../support/temp-dir.ts";

const FIXTURES = "test/fixtures/local-flows.ts";

describe("stepflow graph", () => {
  it("draws mapped, conditional and subflow nodes distinctly", async () => {
    const mermaid = await cli(["graph", FIXTURES, "--flow", "squares"]);
    expect(mermaid.stdout).toMatch(/\[\["square \(map\)"\]\]/);
    const sub = await cli(["graph", FIXTURES, "--flow", "sum-of-squares", "--format", "dot"]);
    expect(sub.stdout).toMatch(/label="flow squares", shape=component/);
    const cond = await cli(["graph", "flows/crypto-dip.ts"]);
    expect(cond.stdout).toMatch(/\{"when detect-dip"\}/);
    expect(cond.stdout).toMatch(/-->\|then\|/);
  });

  it("prints the compiled ASL", async () => {
    const r = await cli(["graph", "flows/crypto-dip.ts", "--format", "asl"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).States["get-data"].Resource).toBe("${Task_get_data}");
  });
});

describe("stepflow plan", () => {
  it("plans transitions and cost, and warns where a limit can be hit with the fix", async () => {
    const ok = await cli(["plan", "flows/crypto-dip.ts"]);
    expect(ok.stdout).toMatch(/transitions per run +4/);
    expect(ok.stdout).toMatch(/cost per 1,000 runs +\$0\.100/);
    // A task's list over its inline budget switches to a Distributed Map at run time: no limit.
    const switched = await cli(["plan", FIXTURES, "--flow", "squares", "--map-size", "5000"]);
    expect(switched.stdout).toMatch(/ok: no limit is reached at map size 5,000/);
    expect(switched.stdout).toMatch(/history events per run +13 /);
    // A list from the params cannot switch: the inline Map's limits are warned about, with the fix.
    const big = await cli(["plan", "test/fixtures/limit-flows.ts", "--flow", "refs-map", "--map-size", "5000"]);
    expect(big.stdout).toMatch(/⚠ .*256 KB.*`large: true`/);
    expect(big.stdout).toMatch(/⚠ .*history events.*25,000/);
  });
});

describe("stepflow runs", () => {
  it("says so when a run id is not in the history", async () => {
    const r = await cli(["runs", "nope-20250101T000000-abcd", "--dir", tempDir("stepflow-cli-runs-")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run `nope-20250101T000000-abcd` is not in the local history/);
  });
});

describe("stepflow runs <id>", () => {
  it("groups attempts by state in start order, folds map items with failures expanded, and says where the result is", async () => {
    const dir = tempDir("stepflow-cli-runs-");
    const run = await cli(["run", "test/fixtures/cli-flows.ts", "--flow", "chain", "--param", "n=3", "--dir", dir]);
    const runId = /run (chain-\S+)\)/.exec(run.stderr)?.[1] ?? "";
    const r = await cli(["runs", runId, "--dir", dir]);
    expect(r.code).toBe(0);
    const states = r.stdout.split("\n").slice(4).map((l) => l.split(" ")[0]).filter(Boolean);
    expect(states).toStrictEqual(["items", "inc", "double", "sum"]);
    expect(r.stdout).toMatch(/^inc +3 items +3 total +3 succeeded/m);
    expect(r.stdout).toMatch(/^result \(inline\): /m);
    const big = await cli(["run", FIXTURES, "--flow", "big-result", "--param", "n=5000", "--dir", dir]);
    const bigId = /run (big-result-\S+)\)/.exec(big.stderr)?.[1] ?? "";
    const shown = await cli(["runs", bigId, "--dir", dir]);
    expect(shown.stdout).toContain(`result stored in: ${dir}/results/runs/big-result/${bigId}/big/0.json`);
  });

  it("lists a parent run's subflow runs labelled by params, each addressable, and links a child to its parent", async () => {
    const dir = tempDir("stepflow-cli-runs-");
    const run = await cli(["run", "test/fixtures/cli-flows.ts", "--flow", "quarter", "--dir", dir]);
    expect(run.code).toBe(1);
    const runId = /run (quarter-\S+)\)/.exec(run.stderr)?.[1] ?? "";
    const r = await cli(["runs", runId, "--dir", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no task attempts of its own recorded");
    const section = r.stdout.slice(r.stdout.indexOf("subflow runs (3;"));
    const rows = section.split("\n").filter((l) => l.startsWith("monthly-"));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(row.includes("2024-02") ? / FAILED / : / SUCCEEDED /);
    expect(rows.map((l) => /"month":"(2024-0\d)"/.exec(l)?.[1]).sort()).toStrictEqual(["2024-01", "2024-02", "2024-03"]);
    const failed = rows.find((l) => l.includes("2024-02"))?.split(" ")[0] ?? "";
    const child = await cli(["runs", failed, "--dir", dir]);
    expect(child.code).toBe(0);
    expect(child.stdout).toContain(`subflow run of: ${runId}`);
    expect(child.stdout).toMatch(/^load +1 +FAILED .*no orders file for 2024-02/m);
  });

  it("expands the map items that failed under their state's counts", async () => {
    const { taskRunsView } = await import("../../sdk/cli/private/task-runs-view.ts");
    const at = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
    const view = taskRunsView([
      { state: "load", mapIndex: 1, attempt: 0, status: "FAILED", startedAt: at(2), error: { name: "Error", message: "boom" } },
      { state: "load", mapIndex: 0, attempt: 0, status: "SUCCEEDED", startedAt: at(1) },
      { state: "load", mapIndex: 1, attempt: 1, status: "FAILED", startedAt: at(3), error: { name: "Error", message: "boom again" } },
      { state: "get", attempt: 0, status: "SUCCEEDED", startedAt: at(0) },
    ]);
    const lines = view.trim().split("\n");
    expect(lines[1]).toMatch(/^get +1 +SUCCEEDED/);
    expect(lines[2]).toMatch(/^load +2 items +3 total +1 succeeded, 1 failed/);
    expect(lines[3]).toMatch(/^ {2}load +1 +2 +FAILED .*Error: boom again$/);
    expect(lines).toHaveLength(4);
  });
});
