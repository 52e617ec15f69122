/**
 * The real binary, spawned: `node bin/stepflow.js ...` on example and fixture flows.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/stepflow.js");
const FIXTURES = "test/fixtures/local-flows.ts";
let dir: string;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function stepflow(...args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, STEPFLOW_SECRET_SLACK_WEBHOOK: undefined, NO_COLOR: "1" } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stepflow-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("stepflow run", () => {
  it("runs the flagship example with progress, prints the result and records the run", async () => {
    const r = await stepflow("run", "flows/crypto-dip.ts", "--dir", dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/▶ crypto-dip {2}crypto-dip-\d{8}T\d{6}-[0-9a-f]{4}/);
    expect(r.stderr).toMatch(/✓ get-data +\d+ ms/);
    expect(r.stderr).toMatch(/would post to Slack: .*DOGE/);
    expect(r.stderr).toMatch(/SUCCEEDED/);
    expect(r.stdout.trim()).toBe("true");
    const runs = await stepflow("runs", "--dir", dir);
    expect(runs.stdout).toMatch(/crypto-dip-\S+ +crypto-dip +SUCCEEDED/);
  });

  it("coerces --param values and shows map progress", async () => {
    const r = await stepflow(
      "run",
      FIXTURES,
      "--flow",
      "squares",
      "--param",
      "n=3",
      "--param",
      "k=2",
      "--dir",
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/square \[3\/3\]/);
    expect(JSON.parse(r.stdout)).toStrictEqual([2, 8, 18]);
  });

  it("accepts --params-json and the export name as --flow", async () => {
    const r = await stepflow(
      "run",
      FIXTURES,
      "--flow",
      "sumOfSquares",
      "--params-json",
      '{"n":2}',
      "--dir",
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/subflow squares/);
    expect(JSON.parse(r.stdout)).toBe(5);
  });

  it("shows retries and exits 1 naming the failing task and its error", async () => {
    const r = await stepflow(
      "run",
      FIXTURES,
      "--flow",
      "retrying",
      "--param",
      "failures=9",
      "--fast-retries",
      "--dir",
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/✗ flaky \(attempt 3\)/);
    expect(r.stderr.match(/↻ retrying flaky/g)).toHaveLength(2);
    expect(r.stderr).toMatch(/FAILED .*in task `flaky`/);
    expect(r.stderr).toMatch(/Error: flaky failure 3 of 9/);
    const runId = /run (retrying-\S+)\)/.exec(r.stderr)?.[1] ?? "";
    const details = await stepflow("runs", runId, "--dir", dir);
    expect(details.stdout).toMatch(/flaky +1 +FAILED/);
    expect(details.stdout).toMatch(/flaky +3 +FAILED/);
  });

  it("exits 2 naming every bad parameter", async () => {
    const r = await stepflow(
      "run",
      FIXTURES,
      "--flow",
      "squares",
      "--param",
      "n=-1",
      "--param",
      "k=abc",
      "--param",
      "zzz=1",
    );
    expect(r.code).toBe(2);
    for (const field of ["`n`", "`k`", "`zzz`"]) expect(r.stderr).toContain(field);
  });

  it("exits 2 for a file that does not exist or does not load", async () => {
    const missing = await stepflow("run", "flows/nope.ts");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/file `flows\/nope\.ts` does not exist/);
    const broken = join(dir, "broken.ts");
    await writeFile(broken, "export const x = ;\n");
    const bad = await stepflow("run", broken);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/could not load/);
  });

  it("exits 2 for an unknown flow name, listing the flows, and when several need --flow", async () => {
    const unknown = await stepflow("run", FIXTURES, "--flow", "nope");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/has no flow `nope`; its flows are .*`retrying`.*`squares`/);
    const several = await stepflow("run", FIXTURES);
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/choose one with `--flow <name>`/);
  });
});

describe("stepflow graph, plan, runs", () => {
  it("draws mapped, conditional and subflow nodes distinctly", async () => {
    const mermaid = await stepflow("graph", FIXTURES, "--flow", "squares");
    expect(mermaid.stdout).toMatch(/\[\["square \(map\)"\]\]/);
    const sub = await stepflow("graph", FIXTURES, "--flow", "sum-of-squares", "--format", "dot");
    expect(sub.stdout).toMatch(/label="flow squares", shape=component/);
    const cond = await stepflow("graph", "flows/crypto-dip.ts");
    expect(cond.stdout).toMatch(/\{"when detect-dip"\}/);
    expect(cond.stdout).toMatch(/-->\|then\|/);
  });

  it("prints the compiled ASL", async () => {
    const r = await stepflow("graph", "flows/crypto-dip.ts", "--format", "asl");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).States["get-data"].Resource).toBe("${Task_get_data}");
  });

  it("plans transitions and cost, and warns where a limit can be hit with the fix", async () => {
    const ok = await stepflow("plan", "flows/crypto-dip.ts");
    expect(ok.stdout).toMatch(/transitions per run +4/);
    expect(ok.stdout).toMatch(/cost per 1,000 runs +\$0\.100/);
    const big = await stepflow("plan", FIXTURES, "--flow", "squares", "--map-size", "5000");
    expect(big.stdout).toMatch(/⚠ .*256 KB.*`large: true`/);
    expect(big.stdout).toMatch(/⚠ .*history events.*25,000/);
  });

  it("says so when a run id is not in the history", async () => {
    const r = await stepflow("runs", "nope-20250101T000000-abcd", "--dir", dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run `nope-20250101T000000-abcd` is not in the local history/);
  });
});
