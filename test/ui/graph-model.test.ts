import { runLocal } from "stepflow/local";
import { describe, expect, it } from "vitest";
import { runGraph } from "../../sdk/ui/app/graph-model.ts";
import { localRunSource } from "../../sdk/ui/index.ts";
import { tempDir } from "../support/temp-dir.ts";
import { shapes } from "./fixtures/ui-flows.ts";

describe("run graph", () => {
  it("draws a run's compiled machine: parallel branches, the Choice branch taken, a map chain with item counts, a subflow linked to its run", async () => {
    const dir = tempDir("stepflow-ui-graph-");
    const run = await runLocal(shapes, { x: 30 }, { dir });
    expect(run.status).toBe("SUCCEEDED");
    const view = await localRunSource({ dir }).getRun(run.runId);
    const graph = runGraph(view!)!;
    const node = (id: string) => graph.nodes.find((n) => n.id === id)!;

    expect(node("parallel is-big + numbers + child-sum").kind).toBe("parallel");
    expect(node("if is-big")).toMatchObject({ kind: "choice", status: "SUCCEEDED" });
    expect(node("shout").status).toBe("SUCCEEDED");
    expect(node("whisper").status).toBe("NOT_RUN");
    const taken = graph.edges.filter((e) => e.from === "if is-big").map((e) => [e.to, e.taken]);
    expect(taken).toEqual([["shout", true], ["whisper", false]]);
    expect(node("map double")).toMatchObject({ kind: "map", status: "SUCCEEDED", items: { done: 4, failed: 0, total: 4 } });
    expect(node("half")).toMatchObject({ parent: "map double", items: { done: 4, total: 4 } });
    const subflow = node("child-sum");
    expect(subflow).toMatchObject({ kind: "subflow", task: "child-sum", status: "SUCCEEDED" });
    const child = run.tasks.find((t) => t.flow === "child-sum")!;
    expect(subflow.childRuns?.map((c) => c.runId)).toEqual([child.runId]);
    // Edges follow the machine: into the Map's chain, through it, and out to the end.
    // The Map also has its Distributed copy, taken at run time when the list is over its inline budget.
    expect(graph.edges.filter((e) => e.to === "(end)").map((e) => e.from).sort()).toEqual(["child-sum", "half", "half (distributed)", "shout", "whisper"]);

    const childView = await localRunSource({ dir }).getRun(child.runId);
    expect(childView?.parentRunId).toBe(run.runId);
    expect(runGraph(childView!)!.nodes.find((n) => n.id === "map double")?.items).toEqual({ done: 3, failed: 0, total: 3 });
  });

  it("has no graph for a run recorded without its machine", async () => {
    expect(runGraph({ run: undefined, attempts: [], children: [] })).toBeUndefined();
  });
});
