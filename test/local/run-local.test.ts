import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ParamsError } from "../../sdk/core/errors.ts";
import { flow, task } from "../../sdk/index.ts";
import { getLocalRun, listLocalRuns, type RunEvent, runLocal } from "../../sdk/local/index.ts";
import {
  bigResult,
  branches,
  largeMap,
  refusing,
  resetFixtures,
  retrying,
  slowFlow,
  slowTask,
  squares,
  sumOfSquares,
  withSecret,
} from "../fixtures/local-flows.ts";
import { tempDir } from "../support/temp-dir.ts";

let dir: string;

/** Gives each test of the calling `describe` a new project folder in `dir` and fresh fixture counters. */
function freshDirEachTest(): void {
  beforeEach(async () => {
    resetFixtures();
    dir = await mkdtemp(join(tmpdir(), "stepflow-local-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
}

const chatty = task("chatty", (n: number) => {
  console.log("counted", n);
  console.debug("details of", n);
  return n;
});
const chattyFlow = flow("chatty-flow", () => chatty.map([1, 2]));

describe("runLocal log lines", () => {
  freshDirEachTest();

  it("hands a task's console output to onEvent at the run's log level, with its context", async () => {
    const logs = async (logLevel: "info" | "debug") => {
      const events: RunEvent[] = [];
      await runLocal(chattyFlow, {}, { dir, logLevel, onEvent: (e) => void events.push(e) });
      return events.flatMap((e) => (e.type === "log" ? [e] : []));
    };
    const info = await logs("info");
    expect(info.map((e) => [e.level, e.message, e.mapIndex]).sort()).toStrictEqual([
      ["info", "counted 1", 0],
      ["info", "counted 2", 1],
    ]);
    expect(info[0]).toMatchObject({ flow: "chatty-flow", state: "chatty", attempt: 0, runId: expect.stringMatching(/^chatty-flow-/) });
    const debug = await logs("debug");
    expect(debug.filter((e) => e.level === "debug").map((e) => e.message).sort()).toStrictEqual(["details of 1", "details of 2"]);
  });
});

describe("runLocal results", () => {
  freshDirEachTest();

  it("decodes a Map's rows into the list of item results", async () => {
    const run = await runLocal(squares, { n: 4, k: 2 }, { dir });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toStrictEqual([2, 8, 18, 32]);
    expect(run.runId).toMatch(/^squares-\d{8}T\d{6}Z-[a-z0-9]{12}$/);
    const items = run.tasks.filter((t) => t.state === "square");
    expect(items.map((t) => t.mapIndex).sort()).toStrictEqual([0, 1, 2, 3]);
    expect(items.every((t) => t.status === "SUCCEEDED" && t.attempt === 0)).toBe(true);
  });

  it("applies parameter defaults and reads results stored over the inline limit", async () => {
    expect((await runLocal(squares, {}, { dir })).result).toStrictEqual([1, 4, 9, 16, 25]);
    const run = await runLocal(bigResult, { n: 5000 }, { dir });
    expect(run.output).toMatchObject({ s3: expect.stringContaining("runs/big-result/") });
    expect(run.result).toBe("x".repeat(5000));
  });

  it("validates each run's parameters once: the parent's at runLocal, the subflow's where it starts", async () => {
    const parent = vi.spyOn(sumOfSquares.schema!, "safeParse");
    const child = vi.spyOn(squares.schema!, "safeParse");
    try {
      const params = sumOfSquares.parse({ n: 2 });
      expect((await runLocal(sumOfSquares, params, { dir })).result).toBe(5);
      expect([parent.mock.calls.length, child.mock.calls.length]).toStrictEqual([1, 1]);
    } finally {
      parent.mockRestore();
      child.mockRestore();
    }
  });

  it("runs a subflow as a nested execution with its own run id", async () => {
    const run = await runLocal(sumOfSquares, { n: 3 }, { dir });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toBe(14);
    const child = run.tasks.find((t) => t.flow === "squares");
    expect(child?.runId).toMatch(/^squares-/);
    expect(child?.runId).not.toBe(run.runId);
    expect(run.tasks.find((t) => t.state === "total")?.runId).toBe(run.runId);
    const runs = await listLocalRuns({ dir });
    expect(runs.map((r) => r.flow).sort()).toStrictEqual(["squares", "sum-of-squares"]);
    const { children } = await getLocalRun(run.runId, { dir });
    expect(children.map((c) => [c.runId, c.flow, c.status, c.parentRunId])).toStrictEqual([
      [child?.runId, "squares", "SUCCEEDED", run.runId],
    ]);
    // The child's params are its own: the parent's execution ARN is read, not kept.
    expect(children[0].params).toStrictEqual({ n: 3, k: 1 });
  });

  it.each([
    [42, "shout"],
    [3, "whisper"],
  ])("takes the when branch that matches x=%i (%s)", async (x, state) => {
    const run = await runLocal(branches, { x }, { dir });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toBeNull();
    expect(run.tasks.map((t) => t.state).sort()).toStrictEqual(["is-big", state].sort());
  });

  it("runs a `large: true` map as an inline Map over the same items", async () => {
    const run = await runLocal(largeMap, { n: 50 }, { dir });
    expect(run.result).toStrictEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 2));
  });

  it("rejects bad parameters before running, naming every bad field", async () => {
    const error = await runLocal(squares, { n: -1, k: "x", extra: 1 } as never, { dir }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ParamsError);
    expect((error as ParamsError).issues.map((i) => i.path).sort()).toStrictEqual(["extra", "k", "n"]);
    expect(await listLocalRuns({ dir })).toStrictEqual([]);
  });
});

describe("runLocal retries and timeouts", () => {
  freshDirEachTest();

  it("retries a failing task with its real attempt number and succeeds on the third attempt", async () => {
    const events: RunEvent[] = [];
    const run = await runLocal(
      retrying,
      { key: "a", failures: 2 },
      { dir, fastRetries: true, onEvent: (e) => events.push(e) },
    );
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toBe(2);
    expect(run.tasks.map((t) => [t.attempt, t.status])).toStrictEqual([
      [0, "FAILED"],
      [1, "FAILED"],
      [2, "SUCCEEDED"],
    ]);
    expect(
      events.filter((e) => e.type === "task-retrying").map((e) => (e as { attempt: number }).attempt),
    ).toStrictEqual([0, 1]);
  });

  it("fails the run after the last retry, naming the failing state and its error", async () => {
    const run = await runLocal(retrying, { key: "b", failures: 5 }, { dir, fastRetries: true });
    expect(run.status).toBe("FAILED");
    expect(run.tasks).toHaveLength(3);
    expect(run.error).toMatchObject({
      name: "Error",
      message: "flaky failure 3 of 5",
      state: "flaky",
      task: "flaky",
    });
  });

  it("does not retry a NonRetriableError", async () => {
    const run = await runLocal(refusing, {}, { dir, fastRetries: true });
    expect(run.status).toBe("FAILED");
    expect(run.tasks).toHaveLength(1);
    expect(run.error).toMatchObject({ name: "NonRetriableError", state: "refuse" });
  });

});

// These runs wait about a second each (a retry delay, a timeout: whole seconds on AWS), so they
// wait side by side. Each has its own project folder; the fixture counters are reset once, since
// a reset would change the counts of a run still going. Concurrent tests assert through their own
// `expect`, so a failure is reported against the test that made it.
describe.concurrent("runLocal waits: retry delays, timeouts and aborts", () => {
  beforeAll(() => resetFixtures());

  it("waits the real retry delay unless fastRetries is set", async ({ expect }) => {
    const started = Date.now();
    const run = await runLocal(retrying, { key: "c", failures: 1 }, { dir: tempDir("stepflow-local-") });
    expect(run.status).toBe("SUCCEEDED");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("fails an attempt that runs past the task timeout", async ({ expect }) => {
    const run = await runLocal(slowTask, { ms: 3000 }, { dir: tempDir("stepflow-local-") });
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "TaskTimeoutError", state: "sleepy" });
  });

  it("ends the run TIMED_OUT when the flow timeout passes", async ({ expect }) => {
    const dir = tempDir("stepflow-local-");
    const run = await runLocal(slowFlow, { ms: 3000 }, { dir });
    expect(run.status).toBe("TIMED_OUT");
    expect((await getLocalRun(run.runId, { dir })).run?.status).toBe("TIMED_OUT");
  });

  it("ends the run ABORTED when its signal aborts", async ({ expect }) => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const run = await runLocal(slowFlow, { ms: 800 }, { dir: tempDir("stepflow-local-"), signal: controller.signal });
    expect(run.status).toBe("ABORTED");
  });
});

describe("runLocal history, events and secrets", () => {
  freshDirEachTest();

  it("writes the flow run and its task runs to the local history", async () => {
    const run = await runLocal(retrying, { key: "d", failures: 1 }, { dir, fastRetries: true });
    const [listed] = await listLocalRuns({ dir, flow: "retrying" });
    expect(listed).toMatchObject({
      runId: run.runId,
      status: "SUCCEEDED",
      params: { key: "d", failures: 1 },
    });
    expect(listed.durationMs).toBeGreaterThanOrEqual(0);
    const details = await getLocalRun(run.runId, { dir });
    expect(details.tasks.map((t) => [t.state, t.attempt, t.status])).toStrictEqual([
      ["flaky", 0, "FAILED"],
      ["flaky", 1, "SUCCEEDED"],
    ]);
  });

  it("sends map progress up to the number of items", async () => {
    const events: RunEvent[] = [];
    await runLocal(squares, { n: 6 }, { dir, onEvent: (e) => events.push(e) });
    const progress = events.filter((e) => e.type === "map-progress");
    expect(progress.at(-1)).toMatchObject({ task: "square", done: 6, failed: 0, total: 6 });
    expect(events[0]).toMatchObject({ type: "run-started", flow: "squares" });
    expect(events.at(-1)).toMatchObject({ type: "run-finished", status: "SUCCEEDED" });
  });

  it("fails a task whose secret is not set, or passes an empty string when asked to", async () => {
    const strict = await runLocal(
      withSecret,
      {},
      { dir, stores: { secrets: { get: () => Promise.reject(new Error("x")) } } },
    );
    expect(strict.status).toBe("FAILED");
    const missing = await runLocal(withSecret, {}, { dir, missingSecrets: "fail" });
    expect(missing.error?.name).toBe("SecretNotFoundError");
    const warnings: string[] = [];
    const lenient = await runLocal(
      withSecret,
      {},
      {
        dir,
        missingSecrets: "empty",
        onEvent: (e) => e.type === "warning" && warnings.push(e.message),
      },
    );
    expect(lenient.result).toBe("no token");
    expect(warnings[0]).toMatch(/`fixture-token` is not set/);
    const given = await runLocal(withSecret, {}, { dir, secrets: { "fixture-token": "abcdef" } });
    expect(given.result).toBe("token of 6 chars");
  });
});
