import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { flow, task, taskContext, UsageError } from "../../sdk/index.ts";
import { runLocal } from "../../sdk/local/index.ts";
import { runInTaskContext } from "../../sdk/core/task-context.ts";

const dir = mkdtempSync(join(tmpdir(), "stepflow-context-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let failures = 0;
const whoAmI = task("who-am-i", { retries: 1 }, (x: number) => {
  const c = taskContext();
  if (c.mapIndex === 1 && c.attempt === 0 && failures++ === 0) throw new Error("flaky");
  return `${c.flow}/${c.runId}/${c.state}/${c.mapIndex}/${c.attempt}/${x}`;
});
const contexts = flow("contexts", { params: z.object({ xs: z.array(z.number()) }) }, ({ xs }) => whoAmI.map(xs));
// Not `async`, yet its result is a promise whose callback reads the context after a timer.
const later = task("later", (x: number) =>
  new Promise((resolve) => setTimeout(resolve, 1)).then(() => `${taskContext().mapIndex}/${x}`),
);
const laterFlow = flow("later-contexts", { params: z.object({ xs: z.array(z.number()) }) }, ({ xs }) => later.map(xs));
// Plain, and only sometimes returns a promise: every call sees its context, the ones after a call that returned at once too.
const mixed = task("mixed", (x: number) =>
  x === 0 ? "0:0" : Promise.resolve().then(() => `${taskContext().mapIndex}:${x}`),
);
const mixedFlow = flow("mixed-contexts", { params: z.object({ xs: z.array(z.number()) }) }, ({ xs }) => mixed.map(xs));
// Returns at once: called again and again, it still sees its own context each time.
// Each call also leaves a timer behind: it fires after the call, and must not see the context.
const leftBehind: Promise<string>[] = [];
const plain = task("plain", (before: string) => {
  leftBehind.push(
    new Promise<string>((resolve) =>
      setTimeout(() => {
        try {
          resolve(taskContext().state);
        } catch (error) {
          resolve((error as Error).name);
        }
      }, 1),
    ),
  );
  return `${before}|${taskContext().state}/${taskContext().attempt}`;
});
const plainChain = flow("plain-chain", () => plain(plain(plain("start"))));

// Both plain, both answer at once for item 0 and return a promise for the others: item 1's `first`
// is still waiting when item 2's `second` returns its first promise, so two such calls are pending.
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const first = task("first-at-once", (x: number) => (x === 0 ? 0 : wait(x === 1 ? 60 : 1).then(() => x)));
const second = task("second-at-once", (x: number) => (x === 0 ? "0" : wait(10).then(() => `${taskContext().mapIndex}`)));
const twoPending = flow("two-pending", { params: z.object({ xs: z.array(z.number()) }) }, ({ xs }) => second.map(first.map(xs)));

describe("taskContext", () => {
  it("tells a running task its flow, run, state, map index and attempt", async () => {
    const run = await runLocal(contexts, { xs: [7, 8] }, { dir, fastRetries: true, runId: "contexts-run-1" });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toEqual(["contexts/contexts-run-1/who-am-i/0/0/7", "contexts/contexts-run-1/who-am-i/1/1/8"]);
  });

  it("follows a plain function's returned promise on every call, the first and the later ones", async () => {
    const run = await runLocal(laterFlow, { xs: [5, 6, 7] }, { dir });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toEqual(["0/5", "1/6", "2/7"]);
  });

  it("follows the promise of a plain function that returned at once on earlier calls", async () => {
    const run = await runLocal(mixedFlow, { xs: [0, 1, 2, 0, 3] }, { dir });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toEqual(["0:0", "1:1", "2:2", "0:0", "4:3"]);
  });

  it("says which plain functions to declare `async` when two of them return their first promise at once", async () => {
    const run = await runLocal(twoPending, { xs: [0, 1, 2] }, { dir });
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "UsageError", state: "second-at-once", mapIndex: 2 });
    expect(run.error?.message).toMatch(/cannot tell which task it runs in: `first-at-once`, `second-at-once`.*declare these task functions `async`/);
  });

  it("gives a function that returns at once its own context on every call", async () => {
    const run = await runLocal(plainChain, {}, { dir });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toBe("start|plain/0|plain-2/0|plain-3/0");
    // Outside the calls, no context is left behind: not here, not in the timers the calls left.
    expect(() => taskContext()).toThrow(/called outside a running task/);
    expect(await Promise.all(leftBehind)).toEqual(["UsageError", "UsageError", "UsageError"]);
  });

  it("follows a task function through its awaits until it settles, and not after", async () => {
    const context = { flow: "f", runId: "r", task: "t", state: "t", mapIndex: undefined, attempt: 0 };
    let late: Promise<string> | undefined;
    const seen = await runInTaskContext(context, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      // Work left running after the function returned: a frozen Lambda would not run it either.
      late = new Promise((resolve) => setTimeout(resolve, 20)).then(() => {
        try {
          return taskContext().runId;
        } catch (error) {
          return (error as Error).name;
        }
      });
      return taskContext().runId;
    });
    expect(seen).toBe("r");
    // Another task runs while the late work does: the storage is on, yet the ended task's scope stays ended.
    const other = runInTaskContext({ ...context, runId: "other" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      return taskContext().runId;
    });
    expect(await late).toBe("UsageError");
    expect(await other).toBe("other");
  });

  it("is unavailable outside a running task", () => {
    expect(() => whoAmI.fn(1)).toThrow(UsageError);
    expect(() => taskContext()).toThrow(/called outside a running task/);
  });
});
