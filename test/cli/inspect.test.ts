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
    const big = await cli(["plan", FIXTURES, "--flow", "squares", "--map-size", "5000"]);
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
