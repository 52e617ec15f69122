/**
 * The cache lease across processes: two `stepflow run` processes racing on one cache key run the
 * task once (real processes: the e2e tier, vitest.config.ts). cache-lease.test.ts has the lease
 * files themselves.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { localHistoryStore } from "../../functions/index.ts";
import { tempDir } from "../support/temp-dir.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/** `stepflow run` of the racing flow in its own process; resolves with its exit code and output. */
function runInProcess(dir: string): Promise<{ code: number | null; out: string }> {
  const args = ["run", "test/local/fixtures/cache-race.ts", "--dir", dir, "--param", `dir=${dir}`];
  const child = spawn(process.execPath, [join(ROOT, "bin/stepflow.js"), ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  child.stderr.on("data", (d: Buffer) => (out += d));
  return new Promise((done) => child.on("exit", (code) => done({ code, out })));
}

describe("cache lease across local processes", () => {
  it("runs a cached task once when two `stepflow run` processes reach it together", async () => {
    const dir = tempDir("stepflow-cache-race-");
    // The second starts once the first has loaded the flow: two CLIs building the same file's
    // bundle cache at once can miss each other's chunk (a CLI loader race, not the lease's).
    const first = runInProcess(dir);
    for (let waited = 0; waited < 100_000 && !existsSync(join(dir, "arrivals")); waited += 50) await sleep(50);
    const runs = await Promise.all([first, runInProcess(dir)]);
    expect(runs.map((r) => r.code), runs.map((r) => r.out).join("\n---\n")).toStrictEqual([0, 0]);
    expect((await readFile(join(dir, "arrivals"), "utf8")).trim().split("\n")).toHaveLength(2);
    expect((await readFile(join(dir, "calls"), "utf8")).trim().split("\n")).toHaveLength(1);
    const history = localHistoryStore({ dir });
    const listed = await history.listAllRuns({ limit: 10 });
    expect(listed.map((r) => r.status)).toStrictEqual(["SUCCEEDED", "SUCCEEDED"]);
    const quotes = await Promise.all(
      listed.map(async (r) => (await history.getRun(r.runId)).tasks.find((t) => t.task === "quote" && t.status === "SUCCEEDED")),
    );
    expect(quotes.map((q) => q?.cached).sort()).toStrictEqual([false, true]);
  }, 240_000);
});
