/**
 * The local history's lines and how they fold into records: the same forward-only rule as the
 * DynamoDB table's conditional writes (highest rank wins; among equals, the first written).
 */
import { runSortKey, taskRank, taskSk } from "./history-keys.ts";
import type { FlowRunRecord, RunDetails, RunQuery, TaskRunRecord } from "../stores/types.ts";

/**
 * One line of a history file: a flow-run or a task-run record, or (in a parent run's file) the
 * record of a subflow run it started.
 */
export type HistoryLine =
  | { readonly run: FlowRunRecord }
  | { readonly task: TaskRunRecord }
  | { readonly child: FlowRunRecord };

/** Parses a line; an unreadable one is reported through `problem` and yields `undefined`. */
export function parseLine(text: string, problem: (message: string) => void): HistoryLine | undefined {
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    problem(`skipped a line that is not JSON: ${JSON.stringify(text.slice(0, 60))}`);
    return undefined;
  }
  for (const kind of ["run", "child"] as const) {
    if (isRecord(line, kind) && typeof line[kind].rank === "number" && typeof line[kind].startedAt === "string")
      return line as unknown as HistoryLine;
  }
  if (isRecord(line, "task") && typeof line.task.state === "string" && typeof line.task.attempt === "number")
    return line as unknown as HistoryLine;
  problem(`skipped a line that is not a stepflow history record: ${JSON.stringify(text.slice(0, 60))}`);
  return undefined;
}

function isRecord(line: unknown, kind: "run" | "task" | "child"): line is Record<typeof kind, Record<string, unknown>> {
  if (typeof line !== "object" || line === null || !(kind in line)) return false;
  const r = (line as Record<string, unknown>)[kind] as Record<string, unknown> | null;
  return typeof r === "object" && r !== null && typeof r.runId === "string" && typeof r.status === "string";
}

/** A run's lines, oldest first, folded into its record and its attempts in state / index / attempt order. */
export function foldRun(lines: readonly (HistoryLine | undefined)[]): RunDetails {
  let run: FlowRunRecord | undefined;
  const tasks = new Map<string, TaskRunRecord>();
  const children = new Map<string, FlowRunRecord>();
  for (const line of lines) {
    if (!line) continue;
    if ("run" in line) {
      if (!run || line.run.rank > run.rank) run = line.run;
      continue;
    }
    if ("child" in line) {
      const stored = children.get(line.child.runId);
      if (!stored || line.child.rank > stored.rank) children.set(line.child.runId, line.child);
      continue;
    }
    const key = taskSk(line.task);
    const stored = tasks.get(key);
    if (!stored || taskRank(line.task.status) > taskRank(stored.status)) tasks.set(key, line.task);
  }
  const sorted = [...tasks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
  return { run, tasks: sorted, children: sortNewestFirst([...children.values()]).reverse() };
}

/**
 * The newest runs from the index's lines, read newest first. A run is complete once its start
 * line (an even rank: the RUNNING record of a round) is read, since its later records were
 * read before it; reading stops when `limit` complete runs match, so older lines are never read.
 * `isStart` says which line starts a run (the moved runs of the first layout have one line each).
 */
export async function newestRuns(
  linesNewestFirst: AsyncIterable<string>,
  query: RunQuery & { readonly flow?: string },
  problem: (message: string) => void,
  isStart: (record: FlowRunRecord) => boolean = (r) => r.rank % 2 === 0,
): Promise<FlowRunRecord[]> {
  const limit = query.limit ?? 50;
  const best = new Map<string, FlowRunRecord>();
  const complete: FlowRunRecord[] = [];
  const started = new Set<string>();
  const matches = (r: FlowRunRecord) =>
    (query.flow === undefined || r.flow === query.flow) && (!query.status || r.status === query.status);
  for await (const text of linesNewestFirst) {
    const line = parseLine(text, problem);
    if (!line || !("run" in line)) continue;
    const r = line.run;
    const stored = best.get(r.runId);
    // Read backwards, an equal rank was written earlier, so it wins as the first written.
    const current = !stored || r.rank >= stored.rank ? r : stored;
    best.set(r.runId, current);
    if (isStart(r) && !started.has(r.runId)) {
      started.add(r.runId);
      if (!matches(current)) continue;
      complete.push(current);
      if (complete.length >= limit) return sortNewestFirst(complete);
    }
  }
  // The whole index was read: runs whose start line is missing count too.
  for (const r of best.values()) if (!started.has(r.runId) && matches(r)) complete.push(r);
  return sortNewestFirst(complete).slice(0, limit);
}

export function sortNewestFirst(runs: FlowRunRecord[]): FlowRunRecord[] {
  return runs.sort((a, b) => (runSortKey(a) < runSortKey(b) ? 1 : runSortKey(a) > runSortKey(b) ? -1 : 0));
}
