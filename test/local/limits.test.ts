import "../../sdk/local/private/with-resolvers.ts";
import { StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { HISTORY_EVENTS } from "../../sdk/core/history-events.ts";
import { observe } from "../../sdk/local/private/engine-events.ts";
import { ExecutionLimits, ON_ENTER, ON_EXIT } from "../../sdk/local/private/limits.ts";
import { taskStateHandlers } from "../../sdk/local/private/state-handlers.ts";

type States = Record<string, Record<string, unknown>>;

/**
 * Runs a hand-written machine (no compiler involved) under the limits, with the session's task
 * state wrappers; every task returns `task(request)`. `maps` names each Map's first task state.
 */
async function run(
  states: States,
  input: unknown = {},
  task: (input: never) => unknown = () => ({ ok: true }),
  machine: { subflowStates?: readonly string[]; maps?: Record<string, string> } = {},
) {
  const definition = { StartAt: Object.keys(states)[0], States: states };
  const maps = new Map(Object.entries(machine.maps ?? {}).map(([m, t]) => [m, { task: t }]));
  const limits = new ExecutionLimits(
    { name: "hand-written", subflowStates: new Set(machine.subflowStates), maps },
    "run-1",
  );
  const tasks = new Map<string, { state: string; retry: unknown; timeoutSeconds: number }>();
  const walk = (s: States) => {
    for (const [name, st] of Object.entries(s)) {
      // As prepare() does: the retry driver applies the state's Retry, the engine does not.
      if (st.Type === "Task") {
        tasks.set(name, { state: name, retry: st.Retry ?? [], timeoutSeconds: 60 });
        delete st.Retry;
      }
      if (st.Type === "Map") walk((st.ItemProcessor as { States: States }).States);
      if (st.Type === "Parallel") for (const b of st.Branches as { States: States }[]) walk(b.States);
    }
  };
  walk(states);
  const handle = async (request: never) => task(request);
  const handlers = taskStateHandlers({ tasks } as never, "run-1", handle as never, { fastRetries: true, gate: () => limits });
  const stateMachine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  const execution = stateMachine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
  });
  limits.bind(() => execution.abort());
  const observing = observe(execution.eventLogs, [limits.observe]);
  const outcome = await execution.result.then(
    () => "SUCCEEDED",
    (e: Error) => e.name,
  );
  await observing;
  // As the session does: the engine may finish before its events are read; a breach still fails it.
  return { outcome: limits.breach?.name ?? outcome, limits, stats: limits.stats() };
}

const TASK = { Type: "Task", Resource: "arn:aws:lambda:us-east-1:000000000000:function:t" };
/** A Map iteration's task request carries its item index, as the compiler's ItemSelector gives it. */
const ITEM = { "index.$": "$$.Map.Item.Index" };

describe("history events, counted as a Standard execution records them", () => {
  it("splits each state's events between entry and exit as HISTORY_EVENTS says", () => {
    expect(ON_ENTER.Task + ON_EXIT.Task).toBe(HISTORY_EVENTS.task);
    expect(ON_ENTER.Map + ON_EXIT.Map).toBe(HISTORY_EVENTS.map);
    expect(ON_ENTER.Parallel + ON_EXIT.Parallel).toBe(HISTORY_EVENTS.parallel);
  });

  it("counts a Task, a Choice and a Succeed: 2 + 5 + 2 + 2 events, 3 transitions", async () => {
    const { stats, outcome } = await run({
      T: { ...TASK, ResultPath: "$.t", Next: "C" },
      C: { Type: "Choice", Choices: [{ Variable: "$.t.ok", BooleanEquals: true, Next: "S" }], Default: "S" },
      S: { Type: "Succeed" },
    });
    expect(outcome).toBe("SUCCEEDED");
    expect(stats).toMatchObject({ historyEvents: 11, transitions: 3 });
  });

  it("counts each retry as three events and one transition", async () => {
    let calls = 0;
    const fail = () => {
      if (calls++ < 2) throw new Error("flaky");
      return 1;
    };
    const { stats } = await run(
      { T: { ...TASK, Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 3 }], End: true } },
      {},
      fail,
    );
    expect(stats).toMatchObject({ historyEvents: 2 + 5 + 2 * 3, transitions: 3 });
  });

  it("counts a Map's iterations and a subflow state's TaskSubmitted", async () => {
    const { stats } = await run(
      {
        M: {
          Type: "Map",
          ItemsPath: "$.xs",
          ItemSelector: ITEM,
          ItemProcessor: { StartAt: "I", States: { I: { ...TASK, End: true } } },
          ResultPath: "$.m",
          Next: "Sub",
        },
        Sub: { ...TASK, End: true },
      },
      { xs: [1, 2, 3] },
      () => 1,
      { subflowStates: ["Sub"], maps: { M: "I" } },
    );
    expect(stats.historyEvents).toBe(2 + 4 + 3 * (2 + 5) + 6);
  });

  it("fails the execution with States.Runtime past 25,000 events", async () => {
    const { outcome, limits, stats } = await run(
      {
        M: {
          Type: "Map",
          ItemsPath: "$.xs",
          ItemSelector: ITEM,
          ItemProcessor: { StartAt: "I", States: { I: { ...TASK, End: true } } },
          End: true,
        },
      },
      { xs: Array.from({ length: 3600 }, (_, i) => i) },
      () => 1,
      { maps: { M: "I" } },
    );
    expect(outcome).toBe("States.Runtime");
    expect(limits.breach?.message).toMatch(/over the 25,000-event limit .*`large: true`/);
    // 3,600 items would record 25,206 events; tasks are counted as they start, so the run stops
    // at the limit (the iterations in flight end, none starts).
    expect(stats.historyEvents).toBeGreaterThan(25_000);
    expect(stats.historyEvents).toBeLessThan(25_206);
  });
});

describe("payload sizes", () => {
  it("fails a state whose output is over 262,144 bytes with States.DataLimitExceeded, naming it", async () => {
    const { outcome, limits, stats } = await run(
      {
        T: { ...TASK, ResultPath: "$.t", Next: "U" },
        U: { ...TASK, ResultPath: "$.u", End: true },
      },
      {},
      () => "x".repeat(140_000),
    );
    expect(outcome).toBe("States.DataLimitExceeded");
    expect(limits.breach).toMatchObject({ state: "U" });
    expect(limits.breach?.message).toMatch(/output of state `U` is 280,0\d\d bytes .*262,144-byte/);
    expect(stats.maxStateBytes).toBeGreaterThan(262_144);
  });

  it("refuses a Lambda event over the limit before the task runs", async () => {
    let ran = 0;
    const { limits } = await run(
      { T: { ...TASK, Parameters: { "a.$": "$.a", "b.$": "$.a" }, End: true } },
      { a: "y".repeat(140_000) },
      () => ran++,
    );
    expect(ran).toBe(0);
    expect(limits.breach).toMatchObject({ name: "States.DataLimitExceeded", state: "T" });
    expect(limits.breach?.message).toMatch(/would send a 280,0\d\d-byte Lambda event/);
  });

  it("fails a task state that starts after the run closed with what closed it, not an error of its own", () => {
    // A Map's refused item can fail faster than the item that failed the run: the Map must fail with that item's error.
    const limits = new ExecutionLimits({ name: "hand-written", subflowStates: new Set(), maps: new Map() }, "run-1");
    const failedTask = Object.assign(new Error("item 7 is broken"), { name: "BrokenItem" });
    limits.close(failedTask);
    limits.close(new Error("a later failure"));
    const refusal = (() => {
      try {
        limits.admit("T", { args: [] });
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBe(failedTask);
    expect(limits.closed).toBe(true);
  });

  it("lets state data of exactly 262,144 bytes through and reports the largest", async () => {
    const payload = { s: "z".repeat(262_144 - '{"s":""}'.length) };
    const { outcome, stats } = await run({ P: { Type: "Pass", End: true } }, payload);
    expect(outcome).toBe("SUCCEEDED");
    expect(stats.maxStateBytes).toBe(262_144);
  });
});
