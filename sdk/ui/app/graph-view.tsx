/** The run's state machine drawn as SVG, each state coloured by status; subflow states link to their runs. */
import { useMemo } from "preact/hooks";
import { layoutGraph, type PlacedEdge, type PlacedNode, subLabel } from "./graph-layout.ts";
import type { RunGraph } from "./graph-model.ts";

export function GraphView({ graph }: { graph: RunGraph }) {
  const placed = useMemo(() => layoutGraph(graph), [graph]);
  const boxes = placed.nodes.filter((p) => p.node.kind === "map" || p.node.kind === "parallel");
  const states = placed.nodes.filter((p) => p.node.kind !== "map" && p.node.kind !== "parallel");
  return (
    <div class="graph">
      <svg width={placed.width} height={placed.height} viewBox={`0 -12 ${placed.width} ${placed.height}`} role="img" aria-label="run graph">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
          </marker>
        </defs>
        {boxes.map((b) => <Box p={b} />)}
        {placed.edges.map((e) => <Edge e={e} />)}
        {boxes.map((b) => <BoxTitle p={b} />)}
        {states.map((s) => <State p={s} />)}
      </svg>
    </div>
  );
}

function Box({ p }: { p: PlacedNode }) {
  const n = p.node;
  return (
    <g class={`box kind-${n.kind} status-${n.status.toLowerCase()}`} data-node={n.id} data-status={n.status}>
      <rect x={p.x - p.width / 2} y={p.y - p.height / 2} width={p.width} height={p.height} rx="8" />
    </g>
  );
}

/** A box's title and counts, drawn over the edges that cross them. */
function BoxTitle({ p }: { p: PlacedNode }) {
  const n = p.node;
  const counts = n.items ? `${n.items.done}/${n.items.total} done${n.items.failed ? ` · ${n.items.failed} failed` : ""}` : "";
  const x = p.x - p.width / 2 + 10;
  const y = p.y - p.height / 2;
  return (
    <g class="box-label" data-box={n.id}>
      <text x={x} y={y + 16} class="box-title">
        {n.kind === "map" ? n.id : "parallel"}
      </text>
      {(counts || n.retries > 0) && (
        <text x={x} y={y + 31} class="sub">
          {counts}
          {n.retries ? `${counts ? " · " : ""}${n.retries} retries` : ""}
        </text>
      )}
    </g>
  );
}

function State({ p }: { p: PlacedNode }) {
  const n = p.node;
  const x = p.x - p.width / 2;
  const y = p.y - p.height / 2;
  const sub = subLabel(n);
  const shape =
    n.kind === "choice" ? (
      <polygon points={`${p.x},${y - 4} ${x + p.width + 6},${p.y} ${p.x},${y + p.height + 4} ${x - 6},${p.y}`} />
    ) : (
      <rect x={x} y={y} width={p.width} height={p.height} rx={n.kind === "start" || n.kind === "end" ? p.height / 2 : 6} />
    );
  const body = (
    <g class={`node kind-${n.kind} status-${n.status.toLowerCase()}`} data-node={n.id} data-status={n.status}>
      <title>{`${n.id}: ${n.status.toLowerCase().replace("_", " ")}`}</title>
      {shape}
      <text x={p.x} y={sub ? p.y - 3 : p.y + 4} text-anchor="middle">
        {n.kind === "start" ? "start" : n.kind === "end" ? "end" : n.id}
      </text>
      {sub && (
        <text x={p.x} y={p.y + 13} text-anchor="middle" class="sub">
          {sub}
        </text>
      )}
    </g>
  );
  const child = n.childRuns?.[n.childRuns.length - 1];
  return child ? <a href={`#/runs/${encodeURIComponent(child.runId)}`}>{body}</a> : body;
}

function Edge({ e }: { e: PlacedEdge }) {
  if (e.points.length === 0) return null;
  const d = e.points.map((pt, i) => `${i === 0 ? "M" : "L"} ${pt.x} ${pt.y}`).join(" ");
  const mid = e.points[Math.floor(e.points.length / 2)];
  return (
    <g class={`edge${e.edge.taken ? " taken" : ""}`} data-from={e.edge.from} data-to={e.edge.to}>
      <path d={d} marker-end="url(#arrow)" />
      {e.edge.label && (
        <text x={mid.x + 4} y={mid.y - 2} class="edge-label">
          {e.edge.label}
        </text>
      )}
    </g>
  );
}
