import "promise.withresolvers/auto";
import { StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { type EngineEvent, observe, runObserved } from "../../sdk/local/private/engine-events.ts";

/** A Pass, a Map of two Pass iterations, and a Task: events at the root and forwarded from the Map's iterations. */
const definition = {
  StartAt: "P",
  States: {
    P: { Type: "Pass", Result: { items: [1, 2] }, Next: "M" },
    M: {
      Type: "Map",
      ItemsPath: "$.items",
      ItemProcessor: { StartAt: "I", States: { I: { Type: "Pass", End: true } } },
      Next: "T",
    },
    T: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:t", End: true },
  },
};
const options = { overrides: { taskResourceLocalHandlers: { T: async () => ({ done: true }) } } };
const shape = (e: EngineEvent) => ("state" in e ? `${e.type} ${e.state.name}` : e.type);

describe("runObserved", () => {
  it("hands the observers the events the execution's log holds, in order, as the engine dispatches them", async () => {
    const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
    const read: string[] = [];
    const plain = machine.run({}, options);
    await Promise.all([plain.result, observe(plain.eventLogs, [(e) => read.push(shape(e))])]);

    for (let i = 0; i < 2; i++) {
      const seen: string[] = [];
      let entered = -1;
      const handlers = { T: async () => ((entered = seen.length), { done: true }) };
      const { execution, observing, direct } = runObserved(machine, {}, { overrides: { taskResourceLocalHandlers: handlers } }, [
        (e) => seen.push(shape(e)),
      ]);
      // The engine's event logger is hooked (no async iterator per event) for aws-local-stepfunctions as pinned.
      expect(direct).toBe(true);
      expect(await execution.result).toStrictEqual({ done: true });
      await observing;
      expect([...seen].sort()).toStrictEqual([...read].sort());
      expect(seen.filter((s) => !s.startsWith("Map")).slice(0, 3)).toStrictEqual(["ExecutionStarted", "StateEntered P", "StateExited P"]);
      expect(seen.at(-1)).toBe("ExecutionSucceeded");
      // Synchronous: the task state's entry was seen before its handler ran.
      expect(seen.slice(0, entered)).toContain("StateEntered T");
    }
  });

  it("stops handing events once the execution is aborted by an observer", async () => {
    const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
    const seen: string[] = [];
    let ran = false;
    const handlers = { T: async () => ((ran = true), {}) };
    const stop: { abort?: () => void } = {};
    const { execution, observing } = runObserved(machine, {}, { overrides: { taskResourceLocalHandlers: handlers } }, [
      (e) => {
        seen.push(shape(e));
        if (e.type === "StateExited" && e.state.name === "M") stop.abort?.();
      },
    ]);
    stop.abort = () => execution.abort();
    await expect(execution.result).rejects.toThrow();
    await observing;
    expect(ran).toBe(false);
    expect(seen.at(-1)).toBe("ExecutionAborted");
    expect(seen.filter((s) => s === "ExecutionAborted")).toHaveLength(1);
  });
});
