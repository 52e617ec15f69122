import "../../sdk/local/private/with-resolvers.ts";
import { StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { type EngineEvent, observe, runObserved, sinkable } from "../../sdk/local/private/engine-events.ts";

const TASK = { Type: "Task", Resource: "arn:aws:lambda:us-east-1:000000000000:function:t" };
/** A task, a Map of one task over `$.items`, and a Pass: root events and forwarded iteration events. */
const definition = {
  StartAt: "T",
  States: {
    T: { ...TASK, ResultPath: "$.t", Next: "M" },
    M: {
      Type: "Map",
      ItemsPath: "$.items",
      ItemProcessor: { StartAt: "I", States: { I: { ...TASK, End: true } } },
      ResultPath: "$.m",
      Next: "P",
    },
    P: { Type: "Pass", End: true },
  },
};
type RunOptions = NonNullable<Parameters<StateMachine["run"]>[1]>;
const options = {
  overrides: { taskResourceLocalHandlers: { T: async () => ({ ok: 1 }), I: async (x) => x } },
} satisfies RunOptions;
const machine = () => new StateMachine(definition as never, { validationOptions: { noValidate: true } });
/** An event as the observers compare it: type, state and (for iterations) index. */
const key = (e: EngineEvent) =>
  [e.type, "state" in e ? e.state.name : "", "index" in e ? e.index : "", "parentState" in e ? e.parentState.name : ""].join(" ");

describe("runObserved", () => {
  it("hands a sinkable machine's events to the observers as the engine dispatches them", async () => {
    const seen: EngineEvent[] = [];
    const { execution, observing } = runObserved(sinkable(machine()), { items: [1, 2, 3] }, options, [(e) => seen.push(e)]);
    // Dispatched before `run` returned: observed then, not on a later turn from the log.
    expect(seen.map(key).slice(0, 2)).toStrictEqual(["ExecutionStarted   ", "StateEntered T  "]);
    await execution.result;
    await observing;
    // The same events, in the same order, as reading the log of a plain machine gives.
    const read: EngineEvent[] = [];
    const plain = machine().run({ items: [1, 2, 3] } as never, options as never);
    await Promise.all([plain.result, observe(plain.eventLogs, [(e) => read.push(e)])]);
    expect(seen.map(key)).toStrictEqual(read.map(key));
    expect(seen.at(-1)?.type).toBe("ExecutionSucceeded");
    expect(seen.filter((e) => e.type === "MapIterationSucceeded")).toHaveLength(3);
  });

  it("reads the log of a machine that is not sinkable", async () => {
    const seen: string[] = [];
    const { execution, observing } = runObserved(machine(), { items: [1] }, options, [(e) => seen.push(e.type)]);
    expect(seen).toStrictEqual([]);
    await execution.result;
    await observing;
    expect(seen[0]).toBe("ExecutionStarted");
    expect(seen.at(-1)).toBe("ExecutionSucceeded");
  });

  it("reads the log when the engine starts the execution after `run` returned (another engine version): no swap, no error lost", async () => {
    const m = sinkable(machine());
    // An engine whose `run` calls `execute` a microtask after it returned.
    Object.defineProperty(m, "run", {
      value(this: StateMachine, ...args: Parameters<StateMachine["run"]>) {
        const deferred = Object.create(this) as StateMachine;
        const execute = (this as unknown as { execute: (...a: unknown[]) => Promise<unknown> }).execute.bind(this);
        Object.defineProperty(deferred, "execute", { value: (...a: unknown[]) => Promise.resolve().then(() => execute(...a)) });
        return StateMachine.prototype.run.apply(deferred, args);
      },
    });
    const seen: string[] = [];
    const boom = new Error("observer failed");
    const failing = (e: EngineEvent) => {
      if (e.type === "StateEntered" && e.state.name === "P") throw boom;
    };
    const { execution, observing } = runObserved(m, { items: [1] }, options, [(e) => seen.push(e.type), failing]);
    await execution.result;
    // Every event reached the observers through the log, and the observer's error is not lost.
    await expect(observing).rejects.toBe(boom);
    expect(seen[0]).toBe("ExecutionStarted");
    expect(seen.at(-1)).toBe("StateEntered");
  });

  it("rejects with the first error an observer threw and observes nothing after it, while the execution goes on", async () => {
    const seen: string[] = [];
    const boom = new Error("observer failed");
    const observers = [
      (e: EngineEvent) => seen.push(e.type),
      (e: EngineEvent) => {
        if (e.type === "StateExited") throw boom;
      },
    ];
    const { execution, observing } = runObserved(sinkable(machine()), { items: [1] }, options, observers);
    await expect(execution.result).resolves.toMatchObject({ items: [1] });
    await expect(observing).rejects.toBe(boom);
    expect(seen.at(-1)).toBe("StateExited");
    expect(seen.filter((t) => t === "StateExited")).toHaveLength(1);
  });

  it("observes the abort event of an execution aborted while it runs", async () => {
    const seen: string[] = [];
    let release = () => {};
    const slow = {
      overrides: { taskResourceLocalHandlers: { T: () => new Promise((r) => (release = () => r({}))) } },
    } satisfies RunOptions;
    const { execution, observing } = runObserved(sinkable(machine()), { items: [] }, slow, [(e) => seen.push(e.type)]);
    execution.abort();
    release();
    await expect(execution.result).rejects.toThrow();
    await observing;
    expect(seen).toStrictEqual(["ExecutionStarted", "StateEntered", "ExecutionAborted"]);
  });
});
