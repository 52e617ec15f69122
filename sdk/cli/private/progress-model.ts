/**
 * What the progress printer knows about a run while it goes: each run's label (a subflow run is
 * told from its siblings by its params, or its run id) and per task state its attempts, items,
 * outcomes and timing, from which the live lines and the final summary table are drawn.
 */
import type { RunEvent } from "../../local/index.ts";
import { formatMs, table } from "./format.ts";

/** One task state of one run (a mapped state counts all its items). */
export interface TaskStats {
  readonly label: string;
  readonly mapped: boolean;
  /** Items (or 1) whose latest attempt is running, by map index (-1 outside a Map). */
  readonly running: Map<number, number>;
  attempts: number;
  done: number;
  /** Items whose last attempt failed with no retry to come. */
  failed: number;
  cached: number;
  total: number | undefined;
  started: number;
  ended: number | undefined;
  /** Non-TTY output: the quarter of the Map last printed. */
  printedStep: number;
  finished: boolean;
}

type TaskEvent = Extract<RunEvent, { state: string; attempt: number }>;

/** Longest subflow label drawn from params; longer ones are cut. */
const LABEL_CHARS = 40;

export class ProgressModel {
  private readonly labels = new Map<string, string>();
  /** Item counts of Maps, by run and task state, kept for states whose first item has not started. */
  private readonly totals = new Map<string, number>();
  readonly tasks = new Map<string, TaskStats>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Names run `runId`: nothing for the root run, `flow(k=v)` or `flow#<id end>` for a subflow run. */
  startRun(e: Extract<RunEvent, { type: "run-started" }>): string {
    const label = e.parentRunId ? subflowLabel(e.flow, e.runId, e.params, this.labels) : "";
    this.labels.set(e.runId, label);
    return label;
  }

  runLabel(runId: string): string {
    return this.labels.get(runId) ?? "";
  }

  /** `state`, `state[7]` or `etl(month=3)/load[7]`, with ` (attempt n)` after a first attempt. */
  name(e: { runId: string; state: string; index?: number; attempt?: number }): string {
    const run = this.runLabel(e.runId);
    const item = e.index === undefined ? "" : `[${e.index}]`;
    const attempt = e.attempt ? ` (attempt ${e.attempt + 1})` : "";
    return `${run ? `${run}/` : ""}${e.state}${item}${attempt}`;
  }

  /** The stats of the event's task state, created on first sight. */
  stats(e: TaskEvent): TaskStats {
    const key = `${e.runId}\u0000${e.state}`;
    let s = this.tasks.get(key);
    if (!s) {
      const label = this.name({ runId: e.runId, state: e.state });
      s = {
        label,
        mapped: e.mapIndex !== undefined,
        running: new Map(),
        attempts: 0,
        done: 0,
        failed: 0,
        cached: 0,
        total: this.totals.get(key),
        started: this.clock(),
        ended: undefined,
        printedStep: -1,
        finished: false,
      };
      this.tasks.set(key, s);
    }
    return s;
  }

  /** Updates the stats with a task event and returns them. */
  apply(e: TaskEvent): TaskStats {
    const s = this.stats(e);
    const item = e.mapIndex ?? -1;
    if (e.type === "task-started") {
      s.attempts++;
      s.running.set(item, this.clock());
    } else if (e.type === "task-succeeded") {
      s.running.delete(item);
      s.done++;
      if (e.cached) s.cached++;
      s.ended = this.clock();
    } else if (e.type === "task-failed") {
      s.running.delete(item);
      s.failed++;
      s.ended = this.clock();
    } else if (e.type === "task-retrying") {
      s.failed--; // the failure just counted is not the item's last word
    }
    return s;
  }

  /** Sets the item count of a Map's task states; returns those now complete. */
  mapTotal(e: Extract<RunEvent, { type: "map-progress" }>): TaskStats[] {
    if (e.total === undefined) return [];
    const complete: TaskStats[] = [];
    for (const state of e.tasks ?? [e.task]) {
      const key = `${e.runId}\u0000${state}`;
      this.totals.set(key, e.total);
      const s = this.tasks.get(key);
      if (!s) continue;
      s.total = e.total;
      if (isComplete(s)) complete.push(s);
    }
    return complete;
  }

  /** The final table: per task state its runs, attempts, wall time and cache hits. */
  summary(): string {
    const rows = [...this.tasks.values()].map((s) => [
      s.label,
      s.mapped ? `${s.done + s.failed} items` : "1",
      String(s.attempts),
      s.failed > 0 ? `${s.failed} failed` : s.running.size > 0 ? "running" : "ok",
      formatMs((s.ended ?? this.clock()) - s.started),
      s.cached > 0 ? (s.mapped ? `${s.cached} cached` : "cached") : "",
    ]);
    return table(["TASK", "RUNS", "ATTEMPTS", "OUTCOME", "DURATION", "CACHE"], rows);
  }
}

/** All of a mapped state's items have their final outcome. */
export function isComplete(s: TaskStats): boolean {
  return s.mapped && s.total !== undefined && s.running.size === 0 && s.done + s.failed >= s.total;
}

function subflowLabel(flow: string, runId: string, params: unknown, taken: Map<string, string>): string {
  const entries =
    params !== null && typeof params === "object" && !Array.isArray(params) ? Object.entries(params) : [];
  const shown = entries.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
  const fromParams = `${flow}(${shown.length > LABEL_CHARS ? `${shown.slice(0, LABEL_CHARS - 1)}…` : shown})`;
  // Siblings with the same (or no) params are told apart by their run id.
  const used = new Set(taken.values());
  return entries.length > 0 && !used.has(fromParams) ? fromParams : `${flow}#${runId.slice(-4)}`;
}
