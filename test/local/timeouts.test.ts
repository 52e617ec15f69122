import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLocal } from "../../sdk/local/index.ts";
import { busyFlow, busyLoop, warmUp } from "../fixtures/limit-flows.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stepflow-timeouts-"));
  // Starts the worker pool (tsx and the fixture module load once, like a Lambda cold start).
  expect((await runLocal(warmUp, {}, { dir, isolation: "worker" })).status).toBe("SUCCEEDED");
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("task and flow timeouts stop code that never yields its thread (CPU-bound; the fixtures block in Atomics.wait, which a thread cannot interrupt either)", () => {
  it("stops a task blocking its thread past `timeout: 1` in a worker and fails it with States.Timeout in about a second", async () => {
    const started = Date.now();
    const run = await runLocal(busyLoop, { ms: 20_000 }, { dir, isolation: "worker" });
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "States.Timeout", state: "spin" });
    expect(run.error?.message).toMatch(/`spin` .*CPU-bound code ran past its `timeout` of 1 seconds/);
    // The task would block for 20 s; it was stopped at its 1 s timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it("ends the run TIMED_OUT at the flow `timeout` while a task blocks its worker thread", async () => {
    const started = Date.now();
    const run = await runLocal(busyFlow, { ms: 20_000 }, { dir, isolation: "worker" });
    expect(run.status).toBe("TIMED_OUT");
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it("ends the run ABORTED at once when its signal aborts while a task blocks its thread", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const run = await runLocal(busyLoop, { ms: 20_000 }, { dir, isolation: "worker", signal: controller.signal });
    expect(run.status).toBe("ABORTED");
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);

  it("fails an in-process attempt that ran CPU-bound code past its timeout when it returns", async () => {
    // Just past the 1 s timeout: the attempt is timed from before the task starts its loop.
    const run = await runLocal(busyLoop, { ms: 1_050 }, { dir });
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "States.Timeout", state: "spin" });
  });
});
