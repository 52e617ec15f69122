import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

  it("takes what each state is from the machine's facts (the compile index): a Map's tasks, the task a renamed state runs", () => {
    const task = { Type: "Task", Resource: "${Task_fetch}", End: true };
    const definition = { StartAt: "pages", States: { pages: { Type: "Map", ItemProcessor: { StartAt: "fetch-2", States: { "fetch-2": task } }, End: true } } };
    const attempt = (mapIndex: number, status: "SUCCEEDED" | "FAILED") =>
      ({ runId: "r", flow: "f", state: "fetch-2", task: "fetch", mapIndex, attempt: 0, status, startedAt: "2026-12-01T10:00:00Z", hasResult: false }) as const;
    const machine = { flow: "f", stateMachineName: "stepflow-f", definition: definition as never, tasks: { "fetch-2": "fetch" }, subflows: {}, maps: { pages: ["fetch-2"] } };
    const view = { run: undefined, attempts: [attempt(0, "SUCCEEDED"), attempt(1, "FAILED")], children: [], machine };
    const graph = runGraph(view)!;
    expect(graph.nodes.find((n) => n.id === "fetch-2")).toMatchObject({ kind: "task", task: "fetch", parent: "pages", items: { done: 1, failed: 1, total: 2 } });
    expect(graph.nodes.find((n) => n.id === "pages")).toMatchObject({ kind: "map", status: "FAILED", items: { done: 1, failed: 1, total: 2 } });
    // Without the facts, a Task state of the definition is no task the run knows of.
    const bare = runGraph({ ...view, machine: { ...machine, tasks: {}, maps: {} } })!;
    expect(bare.nodes.find((n) => n.id === "fetch-2")).toMatchObject({ kind: "other", status: "NOT_RUN" });
    expect(bare.nodes.find((n) => n.id === "pages")?.kind).toBe("other");
  });

  it("draws a task named like an Object.prototype member (constructor, toString, valueOf) as a task", () => {
    const names = ["constructor", "toString", "valueOf"];
    const States = Object.fromEntries(
      names.map((n, i) => [n, { Type: "Task", Resource: `\${Task_${n}}`, ...(i < names.length - 1 ? { Next: names[i + 1] } : { End: true }) }]),
    );
    const definition = { StartAt: names[0], States };
    const tasks = Object.fromEntries(names.map((n) => [n, n]));
    const machine = { flow: "f", stateMachineName: "stepflow-f", definition: definition as never, tasks, subflows: {}, maps: {} };
    const attempt = (state: string) =>
      ({ runId: "r", flow: "f", state, task: state, attempt: 0, status: "SUCCEEDED", startedAt: "2026-12-01T10:00:00Z", hasResult: false }) as const;
    const graph = runGraph({ run: undefined, attempts: names.map(attempt), children: [], machine })!;
    for (const n of names) expect(graph.nodes.find((x) => x.id === n)).toMatchObject({ kind: "task", task: n, status: "SUCCEEDED" });
    // Known to no fact at all, such a state is "other", not a Map or subflow.
    const bare = runGraph({ run: undefined, attempts: [], children: [], machine: { ...machine, tasks: {} } })!;
    for (const n of names) expect(bare.nodes.find((x) => x.id === n)?.kind).toBe("other");
  });

  it("reads a Map's tasks from the definition of a machine recorded before they were kept", async () => {
    const dir = tempDir("stepflow-ui-graph-old-");
    const run = await runLocal(shapes, { x: 3 }, { dir });
    const machines = join(dir, "machines");
    // A record as written then: no `maps`, and `tasks` without a switched Map's Distributed copies.
    for (const file of readdirSync(machines)) {
      const { maps, tasks, ...older } = JSON.parse(readFileSync(join(machines, file), "utf8")) as { flow: string; maps?: unknown; tasks: Record<string, string> };
      expect(maps).toBeDefined();
      const copies = Object.keys(tasks).filter((state) => state.endsWith(" (distributed)"));
      if (older.flow === "shapes") expect(copies.sort()).toEqual(["double (distributed)", "half (distributed)"]);
      const oldTasks = Object.fromEntries(Object.entries(tasks).filter(([state]) => !copies.includes(state)));
      writeFileSync(join(machines, file), JSON.stringify({ ...older, tasks: oldTasks }));
    }
    const graph = runGraph((await localRunSource({ dir }).getRun(run.runId))!)!;
    expect(graph.nodes.find((n) => n.id === "map double")).toMatchObject({ kind: "map", items: { done: 4, failed: 0, total: 4 } });
    expect(graph.nodes.find((n) => n.id === "half")).toMatchObject({ parent: "map double", items: { done: 4, total: 4 } });
    expect(graph.nodes.find((n) => n.id === "map double (distributed)")?.kind).toBe("map");
    for (const id of ["double (distributed)", "half (distributed)"]) {
      expect(graph.nodes.find((n) => n.id === id)).toMatchObject({ kind: "task", parent: "map double (distributed)", status: "NOT_RUN" });
    }
    expect(graph.nodes.find((n) => n.id === "half (distributed)")?.task).toBe("half");
  });

  it("keeps recording a run's machine after the machines folder is removed under the same process", async () => {
    const dir = tempDir("stepflow-ui-graph-removed-");
    const first = await runLocal(shapes, { x: 3 }, { dir });
    expect(runGraph((await localRunSource({ dir }).getRun(first.runId))!)).toBeDefined();
    rmSync(join(dir, "machines"), { recursive: true, force: true });
    const second = await runLocal(shapes, { x: 3 }, { dir });
    const graph = runGraph((await localRunSource({ dir }).getRun(second.runId))!);
    expect(graph?.nodes.find((n) => n.id === "map double")?.kind).toBe("map");
  });

  it("has no graph for a run recorded without its machine", async () => {
    expect(runGraph({ run: undefined, attempts: [], children: [] })).toBeUndefined();
  });
});
