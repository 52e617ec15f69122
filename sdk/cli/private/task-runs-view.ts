/**
 * One run's task attempts as `stepflow runs <id>` prints them: grouped by state in the order the
 * states first started, each state's attempts in start order; a mapped state folded into one
 * line of counts, with the items that failed expanded below it; and where the run's result is.
 */
import { formatMs, formatStarted, table } from "./format.ts";
import { storedFile, storedKeys } from "./result-output.ts";

/** The fields of a task attempt this view reads (local and DynamoDB history records have them). */
export interface AttemptRecord {
  readonly state: string;
  readonly mapIndex?: number;
  readonly attempt: number;
  readonly status: string;
  readonly startedAt: string;
  readonly durationMs?: number;
  readonly cached?: boolean;
  readonly error?: { readonly name: string; readonly message: string };
}

/** Stored result files listed at most. */
const FILES_SHOWN = 3;

/** The table of `tasks`, grouped and folded as the module comment says. */
export function taskRunsView(tasks: readonly AttemptRecord[]): string {
  if (tasks.length === 0) return "no task attempts of its own recorded\n";
  const byState = new Map<string, AttemptRecord[]>();
  for (const t of [...tasks].sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0))) {
    const list = byState.get(t.state) ?? [];
    list.push(t);
    byState.set(t.state, list);
  }
  const rows: string[][] = [];
  for (const [state, attempts] of byState) {
    if (attempts.some((t) => t.mapIndex !== undefined)) rows.push(...mapRows(state, attempts));
    else for (const t of attempts) rows.push(attemptRow(state, t));
  }
  return `${table(["STATE", "ITEM", "ATTEMPT", "STATUS", "STARTED (UTC)", "DURATION", "ERROR"], rows)}\n`;
}

/** The fields of a child (subflow) run this view reads. */
export interface ChildRunRecord {
  readonly runId: string;
  readonly flow: string;
  readonly status: string;
  readonly startedAt: string;
  readonly durationMs?: number;
  readonly params?: unknown;
}

/**
 * The subflow runs a run started, oldest first, each labelled by its params (three concurrent
 * `etl` runs are told apart by their month) and addressable with `stepflow runs <id>`.
 */
export function childRunsView(children: readonly ChildRunRecord[], remote = false): string {
  if (children.length === 0) return "";
  const rows = children.map((c) => [
    c.runId,
    c.flow,
    c.status,
    formatStarted(c.startedAt),
    formatMs(c.durationMs),
    c.params === undefined ? "" : JSON.stringify(c.params).slice(0, 80),
  ]);
  const hint = `show one with \`stepflow runs <run id>${remote ? " --remote" : ""}\``;
  return `\nsubflow runs (${children.length}; ${hint}):\n${table(["RUN ID", "FLOW", "STATUS", "STARTED (UTC)", "DURATION", "PARAMS"], rows)}\n`;
}

/** Where the run's result is: the files of its stored values under `dir`, or the inline value. */
export function resultLocation(output: unknown, dir: string): string {
  if (output === undefined) return "";
  const files = storedKeys(output).map((key) => storedFile(dir, key));
  if (files.length === 0) return `result (inline): ${JSON.stringify(output).slice(0, 200)}\n`;
  const more = files.length > FILES_SHOWN ? ` and ${files.length - FILES_SHOWN} more` : "";
  return `result stored in: ${files.slice(0, FILES_SHOWN).join(", ")}${more}\n`;
}

function attemptRow(state: string, t: AttemptRecord): string[] {
  return [
    state,
    t.mapIndex === undefined ? "" : String(t.mapIndex),
    String(t.attempt + 1),
    t.status,
    formatStarted(t.startedAt),
    formatMs(t.durationMs),
    t.error ? `${t.error.name}: ${t.error.message}`.slice(0, 120) : t.cached ? "cached" : "",
  ];
}

/** A Map's state: one line of counts, then the last attempt of each item that did not succeed. */
function mapRows(state: string, attempts: readonly AttemptRecord[]): string[][] {
  const last = new Map<number, AttemptRecord>();
  for (const t of attempts) {
    const seen = last.get(t.mapIndex ?? -1);
    if (!seen || t.attempt >= seen.attempt) last.set(t.mapIndex ?? -1, t);
  }
  const finals = [...last.values()];
  const count = (status: string) => finals.filter((t) => t.status === status).length;
  const [ok, failed, running] = [count("SUCCEEDED"), count("FAILED"), count("RUNNING")];
  const cached = finals.filter((t) => t.cached).length;
  const status = [`${ok} succeeded`, failed ? `${failed} failed` : "", running ? `${running} running` : ""];
  const durations = attempts.map((t) => t.durationMs ?? 0);
  const folded = [
    state,
    `${finals.length} items`,
    `${attempts.length} total`,
    status.filter(Boolean).join(", "),
    formatStarted(attempts[0].startedAt),
    `${formatMs(Math.max(...durations))} max`,
    cached ? `${cached} cached` : "",
  ];
  const expanded = finals
    .filter((t) => t.status !== "SUCCEEDED")
    .sort((a, b) => (a.mapIndex ?? 0) - (b.mapIndex ?? 0))
    .map((t) => attemptRow(`  ${state}`, t));
  return [folded, ...expanded];
}
