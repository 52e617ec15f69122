/**
 * Renders a flow graph as Mermaid or Graphviz DOT. Node shapes tell call kinds apart: a task is a
 * box, a mapped task a double box, a subflow a subroutine/component, a `when` a diamond, a
 * parameter an oval and a secret a cylinder. Branch edges are labelled `then`/`else`.
 */
import { sourcesOf } from "../../graph/sources.ts";
import type { FlowGraph, ValueSource } from "../../graph/types.ts";

type Kind = "task" | "mapped" | "subflow" | "condition" | "param" | "secret" | "result";

interface Node {
  readonly id: string;
  readonly label: string;
  readonly kind: Kind;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
}

/** Nodes and edges of a flow graph, independent of the output format. */
function graphModel(g: FlowGraph): { nodes: Node[]; edges: Edge[] } {
  const nodes = new Map<string, Node>();
  const edges: Edge[] = [];
  const ids = new Map<string, string>();
  const idOf = (key: string) => {
    let id = ids.get(key);
    if (!id) {
      id = `n${ids.size}`;
      ids.set(key, id);
    }
    return id;
  };
  const add = (key: string, label: string, kind: Kind) => {
    const id = idOf(key);
    if (!nodes.has(id)) nodes.set(id, { id, label, kind });
    return id;
  };
  const source = (s: ValueSource): string | undefined => {
    if (s.kind === "node") return idOf(`call:${s.node}`);
    if (s.kind === "param") return add(`param:${s.name}`, s.name, "param");
    if (s.kind === "secret") return add(`secret:${s.name}`, `secret ${s.name}`, "secret");
    return undefined;
  };
  const scoped = (to: string, scope: FlowGraph["calls"][number]["scope"]) => {
    const frame = scope.at(-1);
    if (frame) edges.push({ from: idOf(`cond:${frame.condition}`), to, label: frame.branch });
  };
  for (const c of g.conditions) {
    const id = add(`cond:${c.id}`, `when ${describe(g, c.source)}`, "condition");
    const from = source(c.source);
    if (from) edges.push({ from, to: id });
    scoped(id, c.scope);
  }
  for (const call of g.calls) {
    const kind: Kind = call.kind === "subflow" ? "subflow" : call.map ? "mapped" : "task";
    const label =
      call.kind === "subflow" ? `flow ${call.flow.flowName}` : call.map ? `${call.state} (map)` : call.state;
    const id = add(`call:${call.id}`, label, kind);
    for (const s of sourcesOf(call)) {
      const from = source(s);
      if (from && !edges.some((e) => e.from === from && e.to === id)) edges.push({ from, to: id });
    }
    scoped(id, call.scope);
  }
  if (g.result) {
    const from = source(g.result);
    if (from) edges.push({ from, to: add("result", "result", "result") });
  }
  return { nodes: [...nodes.values()], edges };
}

function describe(g: FlowGraph, s: ValueSource): string {
  if (s.kind === "node") return g.calls.find((c) => c.id === s.node)?.state ?? s.node;
  if (s.kind === "param") return s.name;
  if (s.kind === "secret") return `secret ${s.name}`;
  if (s.kind === "object") return `{ ${Object.entries(s.fields).map(([k, v]) => `${k}: ${describe(g, v)}`).join(", ")} }`;
  return s.kind === "array" ? `[${s.items.map((v) => describe(g, v)).join(", ")}]` : JSON.stringify(s.value);
}

const MERMAID: Record<Kind, [string, string]> = {
  task: ["[", "]"],
  mapped: ["[[", "]]"],
  subflow: ["[/", "/]"],
  condition: ["{", "}"],
  param: ["([", "])"],
  secret: ["[(", ")]"],
  result: ["((", "))"],
};

/** Mermaid `flowchart` text. */
export function toMermaid(g: FlowGraph): string {
  const { nodes, edges } = graphModel(g);
  const text = (s: string) => `"${s.replace(/"/g, "#quot;")}"`;
  return [
    "flowchart TD",
    ...nodes.map((n) => `  ${n.id}${MERMAID[n.kind][0]}${text(n.label)}${MERMAID[n.kind][1]}`),
    ...edges.map((e) => `  ${e.from} -->${e.label ? `|${e.label}|` : ""} ${e.to}`),
  ].join("\n");
}

const DOT: Record<Kind, string> = {
  task: "shape=box",
  mapped: "shape=box, peripheries=2",
  subflow: "shape=component",
  condition: "shape=diamond",
  param: "shape=ellipse",
  secret: "shape=cylinder",
  result: "shape=doublecircle",
};

/** Graphviz DOT text. */
export function toDot(g: FlowGraph): string {
  const { nodes, edges } = graphModel(g);
  const text = (s: string) => JSON.stringify(s);
  return [
    `digraph ${text(g.flow)} {`,
    "  rankdir=TB;",
    ...nodes.map((n) => `  ${n.id} [label=${text(n.label)}, ${DOT[n.kind]}];`),
    ...edges.map((e) => `  ${e.from} -> ${e.to}${e.label ? ` [label=${text(e.label)}]` : ""};`),
    "}",
  ].join("\n");
}
