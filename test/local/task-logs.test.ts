/**
 * Each attempt's own log lines, kept beside the local history: per attempt, redacted, capped,
 * and nothing written for a run whose tasks log nothing.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localTaskLogs, MAX_LINES_PER_ATTEMPT } from "../../functions/stores/local-task-logs.ts";
import { flow, secret, task, taskContext } from "../../sdk/index.ts";
import { listLocalRuns, runLocal } from "../../sdk/local/index.ts";
import { tempDir } from "../support/temp-dir.ts";

const TOKEN = "tok_4f1d9c2e7b";

const fetchRates = task("fetch-rates", { retries: 1 }, (coins: string[], token: string) => {
  const { attempt } = taskContext();
  console.log(`attempt ${attempt}: fetching ${coins.length} coins with ${token}`);
  console.warn({ attempt, coins });
  if (attempt === 0) throw new Error("rate limited");
  return coins.length;
});
const chatty = task("chatty", (n: number) => {
  for (let i = 0; i < n; i++) console.log(`line ${i}`);
  return n;
});
const quiet = task("quiet", (n: number) => n + 1);

const rates = flow("rates", () => fetchRates(["BTC", "ETH"], secret("rates-token")));
const loud = flow("loud", () => chatty(MAX_LINES_PER_ATTEMPT + 50));
const silent = flow("silent", () => quiet(1));

describe("task log lines of local runs", () => {
  it("keeps each attempt's lines apart, with secrets masked", async () => {
    const dir = tempDir("stepflow-task-logs-");
    const run = await runLocal(rates, {}, { dir, fastRetries: true, secrets: { "rates-token": TOKEN } });
    expect(run.status).toBe("SUCCEEDED");
    const logs = localTaskLogs({ dir });
    const first = await logs.read(run.runId, { state: "fetch-rates", attempt: 0 });
    const second = await logs.read(run.runId, { state: "fetch-rates", attempt: 1 });
    expect(first.map((l) => [l.level, l.message])).toStrictEqual([
      ["info", "attempt 0: fetching 2 coins with ***"],
      ["warn", "{ attempt: 0, coins: [ 'BTC', 'ETH' ] }"],
    ]);
    expect(second.map((l) => l.message)[0]).toBe("attempt 1: fetching 2 coins with ***");
    expect(first.every((l) => !Number.isNaN(Date.parse(l.time)))).toBe(true);
  });

  it("keeps the log folder out of the run listing's stray entries (no warning on every listing)", async () => {
    const dir = tempDir("stepflow-task-logs-");
    const run = await runLocal(rates, {}, { dir, fastRetries: true, secrets: { "rates-token": TOKEN } });
    expect(existsSync(join(dir, "history", "logs"))).toBe(true);
    const problems: string[] = [];
    const runs = await listLocalRuns({ dir, onProblem: (m) => problems.push(m) });
    expect([runs.map((r) => r.runId), problems]).toStrictEqual([[run.runId], []]);
  });

  it("keeps at most 200 lines of an attempt, then says the rest was dropped", async () => {
    const dir = tempDir("stepflow-task-logs-");
    const run = await runLocal(loud, {}, { dir });
    const lines = await localTaskLogs({ dir }).read(run.runId, { state: "chatty", attempt: 0 });
    expect(lines).toHaveLength(MAX_LINES_PER_ATTEMPT + 1);
    expect(lines[MAX_LINES_PER_ATTEMPT - 1].message).toBe(`line ${MAX_LINES_PER_ATTEMPT - 1}`);
    expect(lines.at(-1)?.message).toMatch(/^\[truncated\] this attempt logged more than 200 lines or 64 KB/);
  });

  it("caps an attempt's lines at 64 KB", () => {
    const logs = localTaskLogs({ dir: tempDir("stepflow-task-logs-") });
    const context = { flow: "f", runId: "f-20261202T000000Z-abcdef", task: "t", state: "t", mapIndex: undefined, attempt: 0 };
    for (let i = 0; i < 10; i++) logs.append(context, { level: "info", message: "x".repeat(10_000), time: new Date().toISOString() });
    return logs.read(context.runId, { state: "t", attempt: 0 }).then((lines) => {
      expect(lines).toHaveLength(7);
      expect(lines.at(-1)?.message).toMatch(/^\[truncated\]/);
    });
  });

  it("writes nothing for a run whose tasks log nothing", async () => {
    const dir = tempDir("stepflow-task-logs-");
    const run = await runLocal(silent, {}, { dir });
    expect(run.status).toBe("SUCCEEDED");
    expect(existsSync(join(dir, "history", "logs"))).toBe(false);
    expect(await localTaskLogs({ dir }).read(run.runId, { state: "quiet", attempt: 0 })).toStrictEqual([]);
  });
});
