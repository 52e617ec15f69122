/**
 * A machine without its compile index (a deployed one, or a local one recorded before the index's
 * facts were kept) read back from its definition: the same facts the compile index gives.
 */
import { describe, expect, it } from "vitest";
import { compile, flow, task } from "../../sdk/index.ts";
import { localSubstitutions, substitute } from "../../sdk/compile/substitute.ts";
import type { CompiledFlow } from "../../sdk/compile/types.ts";
import { machineOfDefinition, mapsOfDefinition } from "../../sdk/ui/private/deployed-machine.ts";
import { shapes } from "./fixtures/ui-flows.ts";

const fetchPage = task("fetch-page", (n: number) => n + 1);
const words = task("words", (n: number) => Array.from({ length: n }, (_, i) => `w${i}`));
const upper = task("upper", (w: string) => w.toUpperCase());
/** `fetch-page` called twice (its second state is `fetch-page-2`), and a Map. */
const twice = flow("twice", {}, () => upper.map(words(fetchPage(fetchPage(1)))));

/** The definition as deployed: placeholders replaced by ARNs. */
const deployed = (compiled: CompiledFlow) => substitute(compiled.definition, localSubstitutions(compiled, "eu-west-1", "123456789012"));

describe("a machine read back from its definition", () => {
  it.each([
    ["a task called twice and a Map", twice],
    ["a Choice, a switched Map, a subflow and parallel branches", shapes],
  ])("finds each Task state's task, each subflow and each Map's tasks as the compile index has them: %s", (_, f) => {
    const compiled = compile(f);
    const machine = machineOfDefinition(`stepflow-${compiled.flow}`, deployed(compiled));
    const index = Object.entries(compiled.states);
    expect(machine.tasks).toEqual(Object.fromEntries(compiled.tasks.flatMap((t) => t.states.map((s) => [s, t.name]))));
    expect(machine.subflows).toEqual(Object.fromEntries(index.flatMap(([n, s]) => (s.kind === "subflow" ? [[n, s.flow.flowName]] : []))));
    expect(machine.maps).toEqual(Object.fromEntries(index.flatMap(([n, s]) => (s.kind === "map" ? [[n, s.tasks]] : []))));
    expect(machine.flow).toBe(compiled.flow);
  });

  it("reads the flow and a subflow's flow from a stage's machine names too (`<stage>-stepflow-<flow>`)", () => {
    const text = JSON.stringify(deployed(compile(shapes)));
    expect(text).toContain(":stateMachine:stepflow-child-sum");
    const staged = JSON.parse(text.replaceAll(":stateMachine:stepflow-", ":stateMachine:dev-stepflow-")) as ReturnType<typeof deployed>;
    const machine = machineOfDefinition("dev-stepflow-shapes", staged);
    expect(machine.flow).toBe("shapes");
    expect(Object.values(machine.subflows)).toEqual(["child-sum"]);
  });

  it("names the task a renamed state invokes, not the state", () => {
    const { tasks } = machineOfDefinition("stepflow-twice", deployed(compile(twice)));
    expect(tasks).toEqual({ "fetch-page": "fetch-page", "fetch-page-2": "fetch-page", words: "words", upper: "upper", "upper (distributed)": "upper" });
  });

  it("leaves a Map inside a Map's iteration to that Map", () => {
    const task = (end: true) => ({ Type: "Task", Resource: "arn:aws:lambda:eu-west-1:1:function:f", End: end });
    const inner = { Type: "Map", ItemProcessor: { StartAt: "b", States: { b: task(true) } }, End: true };
    const outer = { Type: "Map", ItemProcessor: { StartAt: "a", States: { a: { ...task(true), End: undefined, Next: "inner" }, inner } }, End: true };
    expect(mapsOfDefinition({ StartAt: "outer", States: { outer } } as never)).toEqual({ outer: ["a"], inner: ["b"] });
  });
});
