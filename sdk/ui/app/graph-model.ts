/**
 * A run's graph as its compiled state machine has it: a node per state (Map iterations and
 * Parallel branches as boxes around their states), edges as the machine transitions, each node
 * with the status its attempts give it. What a state is (task, subflow, Map and the Map around
 * it) comes from the machine's facts (`RunMachine`, from the compile index); the definition gives
 * only the structure: nesting, transitions and the states the index does not cover (Choice,
 * Parallel). Pure, so the page and tests share it.
 */
import type { AttemptView, RunMachine, RunView } from "../types.ts";

/** A node's status on the page. `NOT_RUN`: the run never entered the state. */
export type NodeStatus = "NOT_RUN" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CACHED";

/** A state of the machine. */
export interface GraphNode {
  readonly id: string;
  readonly kind: "task" | "subflow" | "choice" | "map" | "parallel" | "other" | "start" | "end";
  /** The Map or Parallel box the state is in. */
  readonly parent?: string;
  readonly task?: string;
  readonly status: NodeStatus;
  /** Map boxes and states inside a Map: items done, failed and seen. */
  readonly items?: { readonly done: number; readonly failed: number; readonly total: number };
  /** Attempts beyond the first, summed over items. */
  readonly retries: number;
  /** Subflow states: the child runs they started. */
  readonly childRuns?: readonly { readonly runId: string; readonly status?: string }[];
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** A Choice rule (`$.x == true`) or `default`. */
  readonly label?: string;
  /** The run went this way. */
  readonly taken: boolean;
}

export interface RunGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

interface AnyState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Choices?: readonly { readonly Variable?: string; readonly BooleanEquals?: boolean; readonly Next: string }[];
  readonly Default?: string;
  readonly Branches?: readonly Definition[];
  readonly ItemProcessor?: Definition;
  readonly Iterator?: Definition;
}
interface Definition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AnyState>>;
}

const START = "(start)";
const END = "(end)";

/** The graph of `view`'s machine with statuses from its attempts; `undefined` without a machine. */
export function runGraph(view: RunView): RunGraph | undefined {
  if (!view.machine) return undefined;
  const definition = view.machine.definition as unknown as Definition;
  const byState = groupBy(view.attempts, (a) => a.state);
  const mapOf = mapOfState(view.machine);
  const nodes: GraphNode[] = [];
  const edges: { from: string; to: string; label?: string }[] = [];
  const inner = (s: AnyState) => s.ItemProcessor ?? s.Iterator;
  const entry = (d: Definition, name: string): string[] => {
    const s = d.States[name];
    if (!s) return [name];
    if (s.Type === "Map" && inner(s)) return entry(inner(s)!, inner(s)!.StartAt);
    if (s.Type === "Parallel") return (s.Branches ?? []).flatMap((b) => entry(b, b.StartAt));
    return [name];
  };
  const exits = (d: Definition): string[] =>
    Object.entries(d.States).flatMap(([name, s]) => {
      if (!(s.End || s.Type === "Succeed" || s.Type === "Fail")) return [];
      if (s.Type === "Map" && inner(s)) return exits(inner(s)!);
      if (s.Type === "Parallel") return (s.Branches ?? []).flatMap(exits);
      return [name];
    });
  const exitsOf = (d: Definition, name: string): string[] => {
    const s = d.States[name];
    if (s?.Type === "Map" && inner(s)) return exits(inner(s)!);
    if (s?.Type === "Parallel") return (s.Branches ?? []).flatMap(exits);
    return [name];
  };
  const walk = (d: Definition, parent: string | undefined) => {
    for (const [name, s] of Object.entries(d.States)) {
      const node = nodeOf(view, name, s, byState, parent, mapOf.has(name));
      nodes.push(node);
      if (s.Type === "Map" && inner(s)) walk(inner(s)!, name);
      if (s.Type === "Parallel") for (const b of s.Branches ?? []) walk(b, name);
      const link = (to: string, label?: string) => {
        for (const from of s.Type === "Choice" ? [name] : exitsOf(d, name))
          for (const target of entry(d, to)) edges.push({ from, to: target, ...(label ? { label } : {}) });
      };
      if (s.Next) link(s.Next);
      for (const c of s.Choices ?? []) link(c.Next, `${c.Variable ?? "?"} == ${String(c.BooleanEquals ?? "?")}`);
      if (s.Default) link(s.Default, "default");
    }
  };
  walk(definition, undefined);
  finishMaps(nodes);
  const ran = new Set(nodes.filter((n) => n.status !== "NOT_RUN").map((n) => n.id));
  const anyRan = ran.size > 0 || view.run !== undefined;
  nodes.unshift({ id: START, kind: "start", status: anyRan ? "SUCCEEDED" : "NOT_RUN", retries: 0 });
  const ended = view.run && view.run.status !== "RUNNING";
  nodes.push({ id: END, kind: "end", status: ended ? (view.run?.status === "SUCCEEDED" ? "SUCCEEDED" : "FAILED") : "NOT_RUN", retries: 0 });
  edges.unshift(...entry(definition, definition.StartAt).map((to) => ({ from: START, to })));
  edges.push(...exits(definition).map((from) => ({ from, to: END })));
  const choiceTaken = (e: { from: string; to: string }) => ran.has(e.to) || (e.to === END && !!ended);
  for (const n of nodes) {
    if (n.kind !== "choice") continue;
    const taken = edges.some((e) => e.from === n.id && choiceTaken(e));
    if (taken) Object.assign(n, { status: "SUCCEEDED" });
  }
  ran.add(START);
  for (const n of nodes) if (n.kind === "choice" && n.status !== "NOT_RUN") ran.add(n.id);
  return {
    nodes,
    edges: edges.map((e) => ({ ...e, taken: ran.has(e.from) && (ran.has(e.to) || (e.to === END && !!ended)) })),
  };
}

function nodeOf(
  view: RunView,
  name: string,
  s: AnyState,
  byState: Map<string, AttemptView[]>,
  parent: string | undefined,
  inMap: boolean,
): GraphNode {
  const base = { id: name, ...(parent ? { parent } : {}), retries: 0 };
  // Own keys only: a task named `constructor` or `toString` is no Map or subflow.
  const m = view.machine;
  const subflow = m && Object.hasOwn(m.subflows, name) ? m.subflows[name] : undefined;
  const task = m && Object.hasOwn(m.tasks, name) ? m.tasks[name] : undefined;
  if (m && Object.hasOwn(m.maps, name)) return { ...base, kind: "map", status: "NOT_RUN" };
  if (s.Type === "Parallel") return { ...base, kind: "parallel", status: "NOT_RUN" };
  if (s.Type === "Choice") return { ...base, kind: "choice", status: "NOT_RUN" };
  if (subflow) {
    const runs = view.children.filter((c) => c.flow === subflow);
    const status = combine(runs.map((r) => (r.status === "SUCCEEDED" ? "SUCCEEDED" : r.status === "RUNNING" ? "RUNNING" : "FAILED")));
    return { ...base, kind: "subflow", task: subflow, status, childRuns: runs.map(({ runId, status: st }) => ({ runId, status: st })) };
  }
  if (task === undefined) return { ...base, kind: "other", status: "NOT_RUN" };
  const attempts = byState.get(name) ?? [];
  const finals = finalAttempts(attempts);
  const statuses = finals.map((a) => (a.status === "SUCCEEDED" && a.cached ? "CACHED" : a.status));
  const items = inMap ? countItems(finals) : undefined;
  return { ...base, kind: "task", task, status: combine(statuses), retries: attempts.length - finals.length, ...(items ? { items } : {}) };
}

/** The Map state whose iteration runs each Task state. */
export function mapOfState(machine: RunMachine): Map<string, string> {
  const out = new Map<string, string>();
  for (const [map, tasks] of Object.entries(machine.maps)) for (const task of tasks) out.set(task, map);
  return out;
}

/** Each item's (or the state's) last attempt. */
export function finalAttempts(attempts: readonly AttemptView[]): AttemptView[] {
  const last = new Map<number, AttemptView>();
  for (const a of attempts) {
    const k = a.mapIndex ?? -1;
    const seen = last.get(k);
    if (!seen || a.attempt > seen.attempt) last.set(k, a);
  }
  return [...last.values()];
}

function countItems(finals: readonly AttemptView[]) {
  return {
    done: finals.filter((a) => a.status === "SUCCEEDED").length,
    failed: finals.filter((a) => a.status === "FAILED").length,
    total: finals.length,
  };
}

/** A Map's or Parallel's status and item counts from the states inside it. */
function finishMaps(nodes: GraphNode[]): void {
  for (const box of [...nodes].reverse()) {
    if (box.kind !== "map" && box.kind !== "parallel") continue;
    const inside = nodes.filter((n) => n.parent === box.id);
    const status = combine(inside.map((n) => (n.status === "CACHED" ? "SUCCEEDED" : n.status)));
    const retries = inside.reduce((sum, n) => sum + n.retries, 0);
    const counted = inside.filter((n) => n.items);
    const items =
      box.kind === "map" && counted.length > 0
        ? {
            failed: Math.max(...counted.map((n) => n.items!.failed)),
            total: Math.max(...counted.map((n) => n.items!.total)),
            done: Math.min(...counted.map((n) => n.items!.done)),
          }
        : undefined;
    Object.assign(box, { status, retries, ...(items ? { items } : {}) });
  }
}

/** One status for many: any failure fails, then anything running, then done. */
function combine(statuses: readonly NodeStatus[]): NodeStatus {
  if (statuses.length === 0) return "NOT_RUN";
  if (statuses.includes("FAILED")) return "FAILED";
  if (statuses.includes("RUNNING")) return "RUNNING";
  if (statuses.every((s) => s === "CACHED")) return "CACHED";
  return statuses.every((s) => s === "NOT_RUN") ? "NOT_RUN" : "SUCCEEDED";
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
