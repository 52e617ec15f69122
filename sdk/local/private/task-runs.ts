import type { HistoryStore, TaskRunRecord } from "../../../functions/index.ts";
import type { RunEvent, TaskRun } from "../types.ts";

/** History writes in flight at once when a run's records are flushed. */
const FLUSH_CONCURRENCY = 32;

/**
 * The task runs of one local session (a run and its subflow runs), kept in memory while the
 * run goes, sent to `onEvent` as they change, and written to the history store when the run
 * ends, one write per attempt (its final record). On the hot path a task costs a map update
 * instead of two history writes; writing during the run was measured slower on two cores, as
 * the file writes compete with the run for the CPU.
 */
export class TaskRunBook {
  private readonly records = new Map<string, TaskRunRecord>();

  constructor(
    private readonly history: HistoryStore,
    private readonly emit: ((event: RunEvent) => void) | undefined,
  ) {}

  /** The `putTaskRun` the task handler writes through. */
  readonly put = async (record: TaskRunRecord): Promise<void> => {
    const key = `${record.runId}\u0000${record.state}\u0000${record.mapIndex ?? ""}\u0000${record.attempt}`;
    const stored = this.records.get(key);
    if (stored && stored.status !== "RUNNING") return;
    this.records.set(key, record);
    if (this.emit) this.emit(eventOf(record));
  };

  /** Every attempt so far (of run `runId` only, when given), in the order they started. */
  list(runId?: string): TaskRun[] {
    const out: TaskRun[] = [];
    for (const r of this.records.values()) if (runId === undefined || r.runId === runId) out.push(toTaskRun(r));
    return out.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  }

  /** The last failed attempt of `runId` whose error is `name`/`message`, if any. */
  failed(runId: string, name: string, message: string): TaskRunRecord | undefined {
    let found: TaskRunRecord | undefined;
    for (const r of this.records.values()) {
      if (r.runId === runId && r.status === "FAILED" && r.error?.name === name && r.error.message === message)
        found = r;
    }
    return found;
  }

  /**
   * Writes `runId`'s records to the history store (attempts cut short by a flow timeout or an
   * abort as `RUNNING`). Throws the first write that failed.
   */
  async flush(runId: string): Promise<void> {
    const pending = [...this.records.values()].filter((r) => r.runId === runId);
    let next = 0;
    const worker = async () => {
      while (next < pending.length) await this.history.putTaskRun(pending[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(FLUSH_CONCURRENCY, pending.length) }, worker));
  }
}

function toTaskRun(r: TaskRunRecord): TaskRun {
  return {
    flow: r.flow,
    runId: r.runId,
    state: r.state,
    task: r.task,
    ...(r.mapIndex === undefined ? {} : { index: r.mapIndex }),
    attempt: r.attempt,
    status: r.status,
    startedAt: r.startedAt,
    ...(r.endedAt === undefined ? {} : { endedAt: r.endedAt, durationMs: r.durationMs }),
    ...(r.cached === undefined ? {} : { cached: r.cached }),
    ...(r.error === undefined ? {} : { error: r.error }),
  };
}

function eventOf(r: TaskRunRecord): RunEvent {
  const base = {
    flow: r.flow,
    runId: r.runId,
    state: r.state,
    task: r.task,
    index: r.mapIndex,
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
