/**
 * The timeline's rows: a row per state outside Maps, with a bar per attempt; a folded row per Map
 * whose items (a row each, every state of the item's chain on it) unfold, failed and slow first.
 */
import type { AttemptView, RunView } from "../types.ts";
import { finalAttempts, mapOfState } from "./graph-model.ts";

/** One map item: its attempts over its chain's states. */
export interface ItemRow {
  readonly index: number;
  readonly attempts: readonly AttemptView[];
  readonly status: "RUNNING" | "SUCCEEDED" | "FAILED";
  readonly retried: boolean;
  readonly startMs: number;
  readonly endMs: number | undefined;
}

export type TimelineRow =
  | { readonly kind: "state"; readonly id: string; readonly attempts: readonly AttemptView[] }
  | { readonly kind: "map"; readonly id: string; readonly items: readonly ItemRow[]; readonly startMs: number; readonly endMs: number | undefined };

/** The rows of `view`, in the order they started. */
export function timelineRows(view: RunView): TimelineRow[] {
  const mapOf = view.machine ? mapOfState(view.machine) : new Map<string, string>();
  const rows = new Map<string, { kind: "state" | "map"; attempts: AttemptView[] }>();
  for (const a of view.attempts) {
    const map = a.mapIndex !== undefined ? (mapOf.get(a.state) ?? a.state) : undefined;
    const id = map ?? a.state;
    const row = rows.get(id) ?? { kind: map ? ("map" as const) : ("state" as const), attempts: [] };
    row.attempts.push(a);
    rows.set(id, row);
  }
  const out = [...rows.entries()].map(([id, r]): TimelineRow => (r.kind === "state" ? { kind: "state", id, attempts: r.attempts } : mapRow(id, r.attempts)));
  return out.sort((x, y) => rowStart(x) - rowStart(y));
}

function rowStart(r: TimelineRow): number {
  return r.kind === "map" ? r.startMs : Math.min(...r.attempts.map((a) => Date.parse(a.startedAt)));
}

function mapRow(id: string, attempts: readonly AttemptView[]): TimelineRow {
  const byIndex = new Map<number, AttemptView[]>();
  for (const a of attempts) {
    const list = byIndex.get(a.mapIndex!) ?? [];
    list.push(a);
    byIndex.set(a.mapIndex!, list);
  }
  const items = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([index, list]) => itemRow(index, list));
  const ends = items.map((i) => i.endMs);
  return {
    kind: "map",
    id,
    items,
    startMs: Math.min(...items.map((i) => i.startMs)),
    endMs: ends.includes(undefined) ? undefined : Math.max(...(ends as number[])),
  };
}

function itemRow(index: number, attempts: readonly AttemptView[]): ItemRow {
  const finals = finalAttempts(groupedByState(attempts));
  const status = finals.some((a) => a.status === "FAILED") ? "FAILED" : finals.some((a) => a.status === "RUNNING") ? "RUNNING" : "SUCCEEDED";
  const ends = attempts.map((a) => (a.endedAt ? Date.parse(a.endedAt) : undefined));
  return {
    index,
    attempts,
    status,
    retried: attempts.some((a) => a.attempt > 0),
    startMs: Math.min(...attempts.map((a) => Date.parse(a.startedAt))),
    endMs: ends.includes(undefined) ? undefined : Math.max(...(ends as number[])),
  };
}

/** The attempts keyed so that `finalAttempts` keeps the last attempt per state. */
function groupedByState(attempts: readonly AttemptView[]): AttemptView[] {
  const states = [...new Set(attempts.map((a) => a.state))];
  return attempts.map((a) => ({ ...a, mapIndex: states.indexOf(a.state) }));
}

/** Items to show when a map row unfolds: the failed, the retried and the slowest, at most `slowest` of those. */
export function notableItems(items: readonly ItemRow[], slowest: number, nowMs: number): ItemRow[] {
  const span = (i: ItemRow) => (i.endMs ?? nowMs) - i.startMs;
  const flagged = items.filter((i) => i.status !== "SUCCEEDED" || i.retried);
  const slow = [...items].filter((i) => !flagged.includes(i)).sort((a, b) => span(b) - span(a)).slice(0, slowest);
  return [...flagged, ...slow].sort((a, b) => a.index - b.index);
}

/** The attempt whose failure failed the run: the failed last attempt matching the run's error, else the first to fail. */
export function failingAttempt(view: RunView): AttemptView | undefined {
  const error = view.run?.error;
  if (!error) return undefined;
  const failed = view.attempts
    .filter((a) => a.status === "FAILED" && !view.attempts.some((b) => b.state === a.state && b.mapIndex === a.mapIndex && b.attempt > a.attempt))
    .sort((a, b) => Date.parse(a.endedAt ?? a.startedAt) - Date.parse(b.endedAt ?? b.startedAt));
  const matching = failed.filter((a) => a.error && error.message.includes(a.error.message) && (a.error.name === error.name || error.message.includes(a.error.name)));
  return matching[0] ?? failed.find((a) => a.error?.name === error.name) ?? failed[0];
}
