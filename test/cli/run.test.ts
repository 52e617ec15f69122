/** `stepflow run` in-process through `main`: progress, results, exit codes and messages. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { squares } from "../fixtures/local-flows.ts";
import { cli } from "../support/cli.ts";
import { tempDir } from "../support/temp-dir.ts";

const FIXTURES = "test/fixtures/local-flows.ts";
const CLI_FLOWS = "test/fixtures/cli-flows.ts";
const dir = tempDir("stepflow-cli-run-");

describe("stepflow run", () => {
  it("coerces --param values, prints a start line per task and the map's count, and a summary table", async () => {
    const r = await cli(["run", FIXTURES, "--flow", "squares", "--param", "n=3", "--param", "k=2", "--dir", dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/▸ range\n {2}✓ range/);
    expect(r.stderr).toMatch(/✓ square \[3\/3\]/);
    expect(r.stderr).toMatch(/TASK +RUNS +ATTEMPTS +OUTCOME +DURATION +CACHE\n +range +1 +1 +ok/);
    expect(r.stderr).toMatch(/square +3 items +3 +ok/);
    expect(JSON.parse(r.stdout)).toStrictEqual([2, 8, 18]);
  });

  it("validates the parameters once per run, at the command line, passing the parsed value on", async () => {
    const safeParse = vi.spyOn(squares.schema!, "safeParse");
    try {
      const r = await cli(["run", FIXTURES, "--flow", "squares", "--param", "n=2", "--dir", dir]);
      expect(JSON.parse(r.stdout)).toStrictEqual([1, 4]);
      expect(safeParse).toHaveBeenCalledTimes(1);
    } finally {
      safeParse.mockRestore();
    }
  });

  it("counts every task of a map chain, each completing before the task after the Map starts", async () => {
    const r = await cli(["run", CLI_FLOWS, "--flow", "chain", "--dir", dir]);
    expect(r.code).toBe(0);
    const lines = r.stderr.split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/✓ inc +\[8\/8\]/)).toBeGreaterThan(0);
    expect(at(/✓ double +\[8\/8\]/)).toBeGreaterThan(at(/▸ double/));
    expect(at(/▸ sum/)).toBeGreaterThan(at(/✓ double +\[8\/8\]/));
    expect(JSON.parse(r.stdout)).toBe(72);
  });

  it("labels subflow runs by their params, so the failing one can be told", async () => {
    const r = await cli(["run", CLI_FLOWS, "--flow", "quarter", "--dir", dir]);
    expect(r.code).toBe(1);
    for (const month of ["2024-01", "2024-02", "2024-03"])
      expect(r.stderr).toMatch(new RegExp(`▶ subflow monthly\\(month=${month}\\) +monthly-\\S+`));
    expect(r.stderr).toMatch(/✗ monthly\(month=2024-02\)\/load .*no orders file for 2024-02/);
    expect(r.stderr).toMatch(/◀ subflow monthly\(month=2024-02\) FAILED/);
  });

  it("accepts --params-json and the export name as --flow", async () => {
    const r = await cli(["run", FIXTURES, "--flow", "sumOfSquares", "--params-json", '{"n":2}', "--dir", dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/▶ subflow squares\(n=2, k=1\)/);
    expect(JSON.parse(r.stdout)).toBe(5);
  });

  it("shows retries and exits 1 naming the failing task and its error; `runs <id>` lists the attempts", async () => {
    const key = `k${Date.now()}`;
    const args = ["--flow", "retrying", "--param", `key=${key}`, "--param", "failures=9", "--fast-retries"];
    const r = await cli(["run", FIXTURES, ...args, "--dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/✗ flaky \(attempt 3\)/);
    expect(r.stderr.match(/↻ retrying flaky in 0 ms\n/g)).toHaveLength(2);
    expect(r.stderr).toMatch(/FAILED .*in task `flaky`/);
    expect(r.stderr).toMatch(/Error: flaky failure 3 of 9/);
    const runId = /run (retrying-\S+)\)/.exec(r.stderr)?.[1] ?? "";
    const details = await cli(["runs", runId, "--dir", dir]);
    expect(details.stdout).toMatch(/flaky +1 +FAILED/);
    expect(details.stdout).toMatch(/flaky +3 +FAILED/);
  });

  it("prints a large result whole into a pipe, and on a terminal a screenful and where the whole value is stored", async () => {
    const args = ["run", FIXTURES, "--flow", "big-result", "--param", "n=50000", "--dir", dir];
    const piped = await cli(args);
    expect(JSON.parse(piped.stdout)).toHaveLength(50_000);
    const tty = await cli(args, { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout.length).toBeLessThan(12_000);
    const file = /stored in `([^`]+)`/.exec(tty.stdout)?.[1] ?? "";
    expect(file).toMatch(/results\/runs\/big-result\/big-result-\S+\/big\/0\.json$/);
    expect(tty.stdout).toMatch(/50,002 characters/);
  });

  it("redraws running work in place on a terminal and prints no ANSI codes into a pipe", async () => {
    const tty = await cli(["run", CLI_FLOWS, "--flow", "chain", "--dir", dir], { tty: true });
    expect(tty.stderr).toMatch(new RegExp(String.raw`\u001b\[\d+F\u001b\[J`));
    expect(tty.stderr).toMatch(/✓ double +\[8\/8\]/);
    const piped = await cli(["run", CLI_FLOWS, "--flow", "chain", "--dir", dir]);
    expect(piped.stderr).not.toContain("\u001b");
  });
});

describe("stepflow run: usage errors exit 2 with the fix", () => {
  it("names every bad parameter", async () => {
    const r = await cli(["run", FIXTURES, "--flow", "squares", "--param", "n=-1", "--param", "k=abc", "--param", "zzz=1"]);
    expect(r.code).toBe(2);
    for (const field of ["`n`", "`k`", "`zzz`"]) expect(r.stderr).toContain(field);
  });

  it("says a file does not exist or does not load", async () => {
    const missing = await cli(["run", "flows/nope.ts"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/file `flows\/nope\.ts` does not exist/);
    const broken = join(tempDir("stepflow-cli-broken-"), "broken.ts");
    writeFileSync(broken, "export const x = ;\n");
    const bad = await cli(["run", broken]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/could not load/);
  });

  it("says a flow file outside any package with stepflow cannot import it", async () => {
    const outside = join(tempDir("stepflow-cli-outside-"), "f.ts");
    writeFileSync(outside, 'import { flow } from "stepflow";\nexport const f = flow("f", () => undefined);\n');
    const r = await cli(["run", outside]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot import `stepflow`: no package above `.*` has it installed; .*npm install stepflow/);
  });

  it("lists the flows for an unknown name, and asks for --flow when there are several", async () => {
    const unknown = await cli(["run", FIXTURES, "--flow", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/has no flow `nope`; its flows are `squares`.*`retrying`/);
    const several = await cli(["run", FIXTURES]);
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/choose one with `--flow <name>`/);
  });

  it("refuses --flow naming two flows of one file", async () => {
    const r = await cli(["run", CLI_FLOWS, "--flow", "twin"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has 2 flows named `twin` \(exports `twinA` and `twinB`\); give each flow its own name/);
  });

  it("calls `--dir` naming a file a usage error", async () => {
    const file = join(tempDir("stepflow-cli-dir-"), "not-a-dir");
    writeFileSync(file, "");
    for (const args of [["run", "flows/hello.ts"], ["runs"]]) {
      const r = await cli([...args, "--dir", file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: \`--dir ${file}\` is a file; pass the project folder for results and history (created when missing), e.g. \`--dir .stepflow\`\n`);
    }
  });
});
