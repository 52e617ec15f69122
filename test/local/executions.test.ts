/**
 * Which machine each local run executed (`stepflow ui` draws a run's graph from it): one line per
 * run in `executions.jsonl`, and runs of the earlier layout (a file per run) still found.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flow, task } from "../../sdk/index.ts";
import { listLocalRuns, runLocal } from "../../sdk/local/index.ts";
import { ExecutionLog } from "../../sdk/local/private/executions.ts";
import { tempDir } from "../support/temp-dir.ts";

const add = task("add-one", (x: number) => x + 1);
const first = flow("machine-one", () => add(1));
const second = flow("machine-two", () => add(add(2)));

describe("the execution log", () => {
  it("finds the machine of every run from one appended file, the newest and the older ones", async () => {
    const dir = tempDir("stepflow-executions-");
    const runs = [await runLocal(first, {}, { dir }), await runLocal(second, {}, { dir }), await runLocal(first, {}, { dir })];
    const log = new ExecutionLog(dir);
    const machines = await Promise.all(runs.map((r) => log.machineOf(r.runId)));
    expect(machines.map((m) => [m?.flow, Object.keys(m?.tasks ?? {}).length])).toStrictEqual([
      ["machine-one", 1],
      ["machine-two", 2],
      ["machine-one", 1],
    ]);
    expect(await log.machineOf("machine-one-19990101T000000Z-000000")).toBeUndefined();
    // One line per run, no file per run.
    const lines = (await readFile(join(dir, "executions.jsonl"), "utf8")).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).run)).toStrictEqual(runs.map((r) => r.runId));
    expect(await readdir(dir)).not.toContain("executions");
  });

  it("writes where the folder is now when it was removed between runs (the files stay open between runs)", async () => {
    const dir = tempDir("stepflow-executions-");
    await runLocal(first, {}, { dir });
    await rm(dir, { recursive: true, force: true });
    const again = await runLocal(second, {}, { dir });
    expect((await listLocalRuns({ dir })).map((r) => r.runId)).toStrictEqual([again.runId]);
    expect((await new ExecutionLog(dir).machineOf(again.runId))?.flow).toBe("machine-two");
  });

  it("still reads a run recorded in the earlier layout, a file of its own", async () => {
    const dir = tempDir("stepflow-executions-");
    const run = await runLocal(first, {}, { dir });
    const { machine } = JSON.parse((await readFile(join(dir, "executions.jsonl"), "utf8")).trim()) as { machine: string };
    const old = "machine-one-20200101T000000Z-000001";
    await mkdir(join(dir, "executions"));
    await writeFile(join(dir, "executions", `${old}.jsonl`), `${JSON.stringify({ machine })}\n`);
    const log = new ExecutionLog(dir);
    expect((await log.machineOf(old))?.flow).toBe("machine-one");
    expect((await log.machineOf(run.runId))?.flow).toBe("machine-one");
  });
});
