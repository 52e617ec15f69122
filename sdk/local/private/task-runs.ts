import { type HistoryStore, type TaskRunRecord } from "../../../functions/stores/types.ts";
import { taskRank } from "../../../functions/private/history-keys.ts";
import { AttemptIndex } from "../../../functions/private/attempt-index.ts";
import { WRITTEN } from "../../../functions/private/written.ts";
import type { RunEvent, TaskRun } from "../types.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };


/**
 * The task runs of one local session (a run and its subflow runs): kept in memory for the
 * returned run and its events, and written through to the history store as each attempt starts
 * and ends, so the history on disk is never behind what ran (a killed run keeps every attempt
 * that started). A failed history write never fails the task: it goes to `onProblem`.
 */
export class TaskRunBook {
  /**
   * Where each attempt that put its start is in `order`. An attempt that ends before its start was
   * put (the task handler's `"when-waiting"` records) puts its end alone, its only record: it is
   * not indexed, as nothing will look it up.
   */
  private readonly attempts = new AttemptIndex<number>();
  /** Every attempt's latest record, in the order its first record was put. */
  private readonly order: TaskRunRecord[] = [];
  /** Attempts started and not yet ended, counted by run id. */
  private readonly running = new Map<string, number>();
  private readonly idle = new Map<string, () => void>();

  constructor(
    private readonly history: HistoryStore,
    private readonly emit: ((event: RunEvent) => void) | undefined,
    private readonly onProblem: (error: unknown) => void,
  ) {}

  /**
   * The `putTaskRun` the task handler writes through. Not an async function: this runs twice per
   * attempt, and a promise chained to the store's write is all it needs.
   */
  readonly put = (record: TaskRunRecord): Promise<void> => {
    const at = this.attempts.get(record);
    if (at !== undefined) {
      const latest = this.order[at];
      if (taskRank(latest.status) >= taskRank(record.status)) return WRITTEN;
      // Only an attempt's end outranks its start.
      if (latest.status === "RUNNING") this.ended(record.runId);
      this.order[at] = record;
    } else {
      if (record.status === "RUNNING") {
        this.attempts.set(record, this.order.length);
        this.running.set(record.runId, (this.running.get(record.runId) ?? 0) + 1);
      }
      this.order.push(record);
    }
    if (this.emit) this.emit(eventOf(record));
    let writing: Promise<void>;
    try {
      writing = this.history.putTaskRun(record);
    } catch (error) {
      this.onProblem(error);
      return WRITTEN;
    }
    return writing === WRITTEN ? WRITTEN : writing.then(undefined, this.onProblem);
  };

  /** Every attempt so far (of run `runId` only, when given), in the order they started. */
  list(runId?: string): TaskRun[] {
    const out: TaskRun[] = [];
    // Records are kept in the order their attempts were first put, which is nearly always start order.
    let sorted = true;
    for (const r of this.order) {
      if (runId !== undefined && r.runId !== runId) continue;
      if (sorted && out.length > 0 && out[out.length - 1].startedAt > r.startedAt) sorted = false;
      out.push(toTaskRun(r));
    }
    // A stable sort of a list already in order would keep it as it is.
    return sorted ? out : out.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  }

  /** The last failed attempt of `runId` whose error is `name`/`message`, if any. */
  failed(runId: string, name: string, message: string): TaskRunRecord | undefined {
    let found: TaskRunRecord | undefined;
    for (const r of this.order) {
      if (r.runId === runId && r.status === "FAILED" && r.error?.name === name && r.error.message === message)
        found = r;
    }
    return found;
  }

  /** Resolves when no attempt of `runId` is running, or after `graceMs`, whichever comes first. */
  async settle(runId: string, graceMs: number): Promise<void> {
    if (!this.running.get(runId) || graceMs <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.idle.set(runId, resolve);
      timer = setTimeout(resolve, graceMs);
    });
    clearTimeout(timer);
    this.idle.delete(runId);
  }

  /**
   * Ends the attempts of `runId` still running when the run ended: each is recorded `FAILED`
   * with `error` (if the attempt finishes later, its own record replaces it when it succeeded).
   * Synchronous up to the writes it starts, so an `exit` handler can call it.
   */
  endRunning(runId: string, error: { readonly name: string; readonly message: string }): Promise<void> {
    if (!this.running.get(runId)) return WRITTEN;
    const ended = new Date().toISOString();
    const writes: Promise<void>[] = [];
    for (const r of [...this.attempts.valuesOf(runId)].map((at) => this.order[at])) {
      if (r.status !== "RUNNING") continue;
      const durationMs = Date.parse(ended) - Date.parse(r.startedAt);
      writes.push(this.put({ ...r, status: "FAILED", endedAt: ended, durationMs, error }));
    }
    return Promise.all(writes).then(() => undefined);
  }

  /** An attempt of `runId` that was running has ended. */
  private ended(runId: string): void {
    const left = (this.running.get(runId) ?? 1) - 1;
    this.running.set(runId, left);
    if (left === 0) this.idle.get(runId)?.();
  }
}

/** Written field by field: spreads of optional parts cost more, and this runs for every attempt of the run. */
function toTaskRun(r: TaskRunRecord): TaskRun {
  // The keys in the order the run's JSON has always shown them.
  const run = { flow: r.flow, runId: r.runId, state: r.state, task: r.task } as Mutable<TaskRun>;
  if (r.mapIndex !== undefined) run.mapIndex = r.mapIndex;
  run.attempt = r.attempt;
  run.status = r.status;
  run.startedAt = r.startedAt;
  if (r.endedAt !== undefined) {
    run.endedAt = r.endedAt;
    run.durationMs = r.durationMs;
  }
  if (r.cached !== undefined) run.cached = r.cached;
  if (r.error !== undefined) run.error = r.error;
  return run;
}

function eventOf(r: TaskRunRecord): RunEvent {
  const base = {
    flow: r.flow,
    runId: r.runId,
    state: r.state,
    task: r.task,
    mapIndex: r.mapIndex,
    attempt: r.attempt,
  };
  if (r.status === "RUNNING") return { type: "task-started", ...base };
  if (r.status === "SUCCEEDED") {
    return { type: "task-succeeded", ...base, durationMs: r.durationMs ?? 0, cached: r.cached ?? false };
  }
  return {
    type: "task-failed",
    ...base,
    durationMs: r.durationMs ?? 0,
    error: r.error ?? { name: "Error", message: "unknown error" },
  };
}
