/** Positions of a run graph's nodes, boxes and edges, laid out by dagre (top to bottom). */
import { Graph, layout } from "@dagrejs/dagre";
import type { GraphEdge, GraphNode, RunGraph } from "./graph-model.ts";

export interface PlacedNode {
  readonly node: GraphNode;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge {
  readonly edge: GraphEdge;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

const CHAR = 7.2;

/** The size a node's label needs. */
function sizeOf(n: GraphNode): { width: number; height: number } {
  if (n.kind === "start" || n.kind === "end") return { width: 56, height: 26 };
  const width = Math.max(90, n.id.length * CHAR + 28, subLabel(n).length * 6.2 + 20);
  return { width, height: subLabel(n) ? 48 : 34 };
}

/** The second line of a node: item counts, retries, or the subflow it starts. */
export function subLabel(n: GraphNode): string {
  if (n.items) return `${n.items.done}/${n.items.total}${n.items.failed ? ` · ${n.items.failed} failed` : ""}${n.retries ? ` · ${n.retries} retries` : ""}`;
  if (n.kind === "subflow") return `subflow ${n.task}${n.childRuns?.length ? "" : " (not run)"}`;
  return n.retries ? `${n.retries} ${n.retries === 1 ? "retry" : "retries"}` : "";
}

/** Lays `graph` out; boxes (Map, Parallel) get the size of what they hold. */
export function layoutGraph(graph: RunGraph): GraphLayout {
  const g = new Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 44, marginx: 12, marginy: 30 });
  g.setDefaultEdgeLabel(() => ({}));
  const boxes = new Set(graph.nodes.filter((n) => n.kind === "map" || n.kind === "parallel").map((n) => n.id));
  for (const n of graph.nodes) {
    g.setNode(n.id, boxes.has(n.id) ? { width: 0, height: 0 } : sizeOf(n));
    if (n.parent) g.setParent(n.id, n.parent);
  }
  graph.edges.forEach((e, i) => {
    const label = e.label ? { width: e.label.length * 6.2 + 8, height: 14, labelpos: "c" as const } : {};
    g.setEdge(e.from, e.to, { ...label, minlen: 1 }, String(i));
  });
  layout(g);
  const nodes = graph.nodes.map((node) => {
    const p = g.node(node.id);
    // A box is drawn taller at its top, where its title and counts go.
    const top = boxes.has(node.id) ? 34 : 0;
    return { node, x: p.x ?? 0, y: (p.y ?? 0) - top / 2, width: p.width, height: p.height + top };
  });
  const edges = graph.edges.map((edge, i) => ({ edge, points: g.edge(edge.from, edge.to, String(i))?.points ?? [] }));
  const label = g.graph();
  return { width: (label.width ?? 0) + 4, height: (label.height ?? 0) + 24, nodes, edges };
}
