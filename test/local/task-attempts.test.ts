/**
 * One attempt count for a local run: the retry driver (sdk/local/private/task-attempts.ts) runs
 * every attempt of a Lambda Task state with the policy the compiler emitted, and nothing else
 * retries or counts. If the engine retried too, a failing task would run (retries + 1)² times and
 * its attempt numbers would restart; these tests would see it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nestedStates, type Retrier, type StateMachineDefinition } from "../../sdk/compile/asl.ts";
import type { TaskRequest } from "../../sdk/core/protocol.ts";
import { flow, task, taskContext } from "../../sdk/index.ts";
import { type RunEvent, runLocal } from "../../sdk/local/index.ts";
import { prepare } from "../../sdk/local/private/prepare.ts";
import { RetryBudget } from "../../sdk/local/private/retry.ts";
import { runAttempts } from "../../sdk/local/private/task-attempts.ts";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "stepflow-attempts-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Fails the first `failures[key]` calls per key; records the attempt number each call saw. */
function flakyTask(name: string, failures: number, seen: Map<string, number[]>) {
  return task(name, { retries: 3, retryDelay: 0 }, (key: string) => {
    const attempts = seen.get(key) ?? [];
    attempts.push(taskContext().attempt);
    seen.set(key, attempts);
    if (attempts.length <= failures) throw new Error(`failure ${attempts.length} of ${key}`);
    return attempts.length;
  });
}

describe("one attempt count in a local run", () => {
  it("gives each attempt the number AWS's `$$.State.RetryCount` would: the task, history, logs and events agree", async () => {
    const seen = new Map<string, number[]>();
    const flaky = flakyTask("count-me", 3, seen);
    const events: RunEvent[] = [];
    const run = await runLocal(flow("counted", () => flaky("k")), {}, { dir, fastRetries: true, onEvent: (e) => void events.push(e) });
    expect(run.status).toBe("SUCCEEDED");
    // Four calls in all (3 retries): a second retrying layer would make it 16.
    expect(seen.get("k")).toStrictEqual([0, 1, 2, 3]);
    expect(run.tasks.map((t) => [t.attempt, t.status])).toStrictEqual([
      [0, "FAILED"],
      [1, "FAILED"],
      [2, "FAILED"],
      [3, "SUCCEEDED"],
    ]);
    const retrying = events.flatMap((e) => (e.type === "task-retrying" ? [e.attempt] : []));
    expect(retrying).toStrictEqual([0, 1, 2]);
  });

  it("counts each Map item's attempts from 0, and fails the run when an item uses up its retries", async () => {
    const seen = new Map<string, number[]>();
    const once = flakyTask("once-per-item", 1, seen);
    const events: RunEvent[] = [];
    const ok = await runLocal(flow("items", () => once.map(["a", "b", "c"])), {}, { dir, fastRetries: true, onEvent: (e) => void events.push(e) });
    expect(ok.status).toBe("SUCCEEDED");
    expect(Object.fromEntries(seen)).toStrictEqual({ a: [0, 1], b: [0, 1], c: [0, 1] });
    // Each item's retry is told with its item index and the task it runs.
    const retrying = events.flatMap((e) => (e.type === "task-retrying" ? [{ task: e.task, state: e.state, mapIndex: e.mapIndex, attempt: e.attempt }] : []));
    expect(retrying.sort((x, y) => (x.mapIndex ?? -1) - (y.mapIndex ?? -1))).toStrictEqual(
      [0, 1, 2].map((mapIndex) => ({ task: "once-per-item", state: "once-per-item", mapIndex, attempt: 0 })),
    );

    const always = new Map<string, number[]>();
    const doomed = flakyTask("doomed", 99, always);
    const failed = await runLocal(flow("doomed-items", () => doomed.map(["x"])), {}, { dir, fastRetries: true });
    expect(failed.status).toBe("FAILED");
    expect(always.get("x")).toStrictEqual([0, 1, 2, 3]);
    expect(failed.error).toMatchObject({ message: "failure 4 of x", state: "doomed", mapIndex: 0 });
  });

  it("leaves the engine no Retry on a Lambda Task state: the compile index's policy is the driver's alone", () => {
    const seen = new Map<string, number[]>();
    const flaky = flakyTask("indexed", 1, seen);
    const p = prepare(flow("indexed-flow", () => flaky.map(["a"])));
    const [state, plan] = [...p.tasks][0];
    expect(plan.retry.map((r) => r.ErrorEquals[0])).toStrictEqual(["Lambda.ServiceException", "NonRetriableError", "States.ALL"]);
    expect(taskStates(p.compiled.definition)[state]?.Retry).toStrictEqual(plan.retry);
    expect(taskStates(p.definition)[state]?.Retry).toBeUndefined();
    expect(plan.timeoutSeconds).toBe(taskStates(p.compiled.definition)[state]?.TimeoutSeconds);
  });
});

/** Every Task state of `d` by name, nested ones included. */
function taskStates(d: StateMachineDefinition): Record<string, { Retry?: Retrier[]; TimeoutSeconds?: number }> {
  return Object.fromEntries([...nestedStates(d)].flatMap(({ name, state }) => (state.Type === "Task" ? [[name, state]] : [])));
}

const request = { flow: "f", task: "t", state: "t", run: "r" } as TaskRequest;
const named = (name: string) => Object.assign(new Error(name), { name });

describe("the retry driver", () => {
  it("fails an attempt past the state's TimeoutSeconds with States.Timeout, which States.TaskFailed does not retry", async () => {
    const retry: Retrier[] = [{ ErrorEquals: ["States.TaskFailed"], MaxAttempts: 2 }];
    const plan = { state: "t", retry, timeoutSeconds: 0.05 };
    const calls: number[] = [];
    const hang = ({ attempt }: TaskRequest) => {
      calls.push(attempt ?? -1);
      return new Promise<never>(() => {});
    };
    const error = await runAttempts(plan, request, hang, { fastRetries: true }).catch((e: unknown) => e as Error);
    expect([error.name, calls]).toStrictEqual(["States.Timeout", [0]]);
    expect(error.message).toMatch(/attempt 0 of task state `t` did not end within the state's `TimeoutSeconds` of 0.05 seconds/);
  });

  it("answers an attempt that answered at once at once, and retries one that failed at once", async () => {
    const plan = { state: "t", retry: [{ ErrorEquals: ["Boom"], MaxAttempts: 1 }], timeoutSeconds: 10 };
    expect(runAttempts(plan, request, () => "now", { fastRetries: true })).toBe("now");
    const calls: number[] = [];
    const flaky = ({ attempt }: TaskRequest) => {
      calls.push(attempt ?? -1);
      if (attempt === 0) throw named("Boom");
      return `attempt ${attempt}`;
    };
    const retried = runAttempts(plan, request, flaky, { fastRetries: true });
    expect(retried).toBeInstanceOf(Promise);
    expect([await retried, calls]).toStrictEqual(["attempt 1", [0, 1]]);
  });

  it("stops waiting for a retry when the run has ended", async () => {
    const ended = new AbortController();
    const plan = { state: "t", retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 3600 }], timeoutSeconds: 10 };
    const calls: number[] = [];
    const failing = ({ attempt }: TaskRequest) => {
      calls.push(attempt ?? -1);
      return Promise.reject(named("Boom"));
    };
    const retried: number[] = [];
    const running = runAttempts(plan, request, failing, { fastRetries: false, ended: ended.signal, retrying: (_s, _r, a) => void retried.push(a) });
    await new Promise((r) => setTimeout(r, 20));
    ended.abort();
    await expect(running).rejects.toThrow("Boom");
    expect([calls, retried]).toStrictEqual([[0], [0]]);
  });
});

describe("RetryBudget: the States Language's retry rules", () => {
  it("lets the first matching retrier decide, each counting its own retries", () => {
    const budget = new RetryBudget([
      { ErrorEquals: ["Throttled"], MaxAttempts: 1, IntervalSeconds: 2 },
      { ErrorEquals: ["NonRetriableError"], MaxAttempts: 0 },
      { ErrorEquals: ["States.ALL"], MaxAttempts: 2, IntervalSeconds: 1, BackoffRate: 3, MaxDelaySeconds: 2 },
    ]);
    expect(budget.next(named("Throttled"), false)).toBe(2000);
    expect(budget.next(named("Other"), false)).toBe(1000);
    // 1 s × 3 capped by MaxDelaySeconds.
    expect(budget.next(named("Other"), false)).toBe(2000);
    expect(budget.next(named("Other"), false)).toBeUndefined();
    expect(budget.next(named("Throttled"), false)).toBeUndefined();
    expect(budget.next(named("NonRetriableError"), false)).toBeUndefined();
  });

  it("applies the defaults, full jitter, fastRetries, and fails a bad local secrets file at once", () => {
    const defaults = new RetryBudget([{ ErrorEquals: ["States.TaskFailed"] }]);
    expect([0, 1, 2, 3].map(() => defaults.next(named("E"), false))).toStrictEqual([1000, 2000, 4000, undefined]);
    expect(new RetryBudget([{ ErrorEquals: ["States.TaskFailed"] }]).next(named("States.Timeout"), false)).toBeUndefined();
    const jitter = new RetryBudget([{ ErrorEquals: ["States.ALL"], IntervalSeconds: 10, BackoffRate: 1, MaxAttempts: 50, JitterStrategy: "FULL" }]);
    const delays = Array.from({ length: 50 }, () => jitter.next(named("E"), false));
    expect(delays.every((d) => d !== undefined && d >= 0 && d <= 10_000)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(1);
    expect(new RetryBudget([{ ErrorEquals: ["States.ALL"], IntervalSeconds: 60 }]).next(named("E"), true)).toBe(0);
    expect(new RetryBudget([{ ErrorEquals: ["States.ALL"] }]).next(named("SecretsFileError"), false)).toBeUndefined();
  });
});
