/** A Gantt chart of the run's task attempts: retries side by side, cache hits marked, map items folded. */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { AttemptView, RunView } from "../types.ts";
import { formatMs } from "./format.ts";
import { type ItemRow, notableItems, type TimelineRow, timelineRows } from "./timeline-model.ts";

/** How many of the slowest items an unfolded map shows besides its failed and retried ones. */
const SLOWEST = 5;

interface Props {
  readonly view: RunView;
  readonly now: number;
  readonly picked: AttemptView | undefined;
  readonly onPick: (a: AttemptView) => void;
}

export function Timeline({ view, now, picked, onPick }: Props) {
  const [open, setOpen] = useState<Record<string, "notable" | "all" | undefined>>({});
  const rows = timelineRows(view);
  if (rows.length === 0) return <p class="empty">no task attempts yet</p>;
  const starts = view.attempts.map((a) => Date.parse(a.startedAt));
  const t0 = Math.min(view.run ? Date.parse(view.run.startedAt) : Infinity, ...starts);
  const ends = view.attempts.map((a) => (a.endedAt ? Date.parse(a.endedAt) : now));
  const runEnd = view.run?.endedAt ? Date.parse(view.run.endedAt) : view.run?.status === "RUNNING" ? now : 0;
  const span = Math.max(1, Math.max(runEnd, ...ends) - t0);
  const scale = { t0, span, now };
  const bars = (attempts: readonly AttemptView[]) => attempts.map((a) => <Bar a={a} scale={scale} picked={picked} onPick={onPick} />);
  return (
    <div class="timeline">
      <div class="axis">
        <span>0</span>
        <span>{formatMs(span / 2)}</span>
        <span>{formatMs(span)}</span>
      </div>
      {rows.map((row) =>
        row.kind === "state" ? (
          <div class="tl-row" data-row={row.id} key={row.id}>
            <div class="tl-label" title={row.id}>{row.id}</div>
            <div class="tl-track">{bars(row.attempts)}</div>
          </div>
        ) : (
          <MapRows row={row} scale={scale} mode={open[row.id]} setMode={(m) => setOpen({ ...open, [row.id]: m })} bars={bars} />
        ),
      )}
      <Legend />
    </div>
  );
}

interface Scale {
  readonly t0: number;
  readonly span: number;
  readonly now: number;
}

function Bar({ a, scale, picked, onPick }: { a: AttemptView; scale: Scale; picked: AttemptView | undefined; onPick: (a: AttemptView) => void }) {
  const start = Date.parse(a.startedAt) - scale.t0;
  const end = (a.endedAt ? Date.parse(a.endedAt) : scale.now) - scale.t0;
  const left = (100 * start) / scale.span;
  const width = Math.max(0, (100 * (end - start)) / scale.span);
  const isPicked = picked && picked.state === a.state && picked.mapIndex === a.mapIndex && picked.attempt === a.attempt;
  const cls = `bar status-${(a.cached ? "cached" : a.status).toLowerCase()}${a.attempt > 0 ? " retry" : ""}${isPicked ? " picked" : ""}`;
  const item = a.mapIndex !== undefined ? ` item ${a.mapIndex}` : "";
  const title = `${a.state}${item} attempt ${a.attempt + 1}: ${a.cached ? "cached" : a.status.toLowerCase()} ${formatMs(a.durationMs)}${a.error ? ` (${a.error.name})` : ""}`;
  return (
    <button
      type="button"
      class={cls}
      style={{ left: `${left}%`, width: `${width}%` }}
      title={title}
      aria-label={title}
      data-state={a.state}
      data-index={a.mapIndex ?? ""}
      data-attempt={a.attempt}
      data-status={a.cached ? "CACHED" : a.status}
      onClick={() => onPick(a)}
    />
  );
}

interface MapProps {
  readonly row: Extract<TimelineRow, { kind: "map" }>;
  readonly scale: Scale;
  readonly mode: "notable" | "all" | undefined;
  readonly setMode: (m: "notable" | "all" | undefined) => void;
  readonly bars: (attempts: readonly AttemptView[]) => ComponentChildren;
}

function MapRows({ row, scale, mode, setMode, bars }: MapProps) {
  const failed = row.items.filter((i) => i.status === "FAILED").length;
  const retried = row.items.filter((i) => i.retried).length;
  const left = (100 * (row.startMs - scale.t0)) / scale.span;
  const width = (100 * ((row.endMs ?? scale.now) - row.startMs)) / scale.span;
  const status = failed > 0 ? "failed" : row.endMs === undefined ? "running" : "succeeded";
  const shown: readonly ItemRow[] = mode === "all" ? row.items : mode === "notable" ? notableItems(row.items, SLOWEST, scale.now) : [];
  return (
    <div class="tl-map" data-map={row.id}>
      <div class="tl-row map-row">
        <button type="button" class="tl-label fold" onClick={() => setMode(mode ? undefined : "notable")} aria-expanded={mode !== undefined}>
          {mode ? "▾" : "▸"} {row.id} <span class="counts">{row.items.length} items{failed ? `, ${failed} failed` : ""}{retried ? `, ${retried} retried` : ""}</span>
        </button>
        <div class="tl-track">
          <div class={`bar span status-${status}`} style={{ left: `${left}%`, width: `${width}%` }} />
        </div>
      </div>
      {shown.map((item) => (
        <div class={`tl-row item-row status-${item.status.toLowerCase()}`} data-item={item.index} key={item.index}>
          <div class="tl-label">item {item.index}</div>
          <div class="tl-track">{bars(item.attempts)}</div>
        </div>
      ))}
      {mode === "notable" && shown.length < row.items.length && (
        <button type="button" class="show-all" onClick={() => setMode("all")}>
          show all {row.items.length} items
        </button>
      )}
    </div>
  );
}

function Legend() {
  return (
    <div class="legend">
      {["succeeded", "failed", "running", "cached"].map((s) => (
        <span>
          <i class={`swatch status-${s}`} /> {s}
        </span>
      ))}
      <span>
        <i class="swatch retry" /> retry
      </span>
    </div>
  );
}
