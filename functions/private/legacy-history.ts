/**
 * The local history's first layout, one folder per run: `<history>/<encoded runId>/run.json` and
 * `<history>/<encoded runId>/tasks/<encoded sort key>.json`. A project upgraded from it keeps its
 * runs: the first read of the history moves each such folder into the append-only layout
 * (`runs/<runId>.jsonl`) and its run record into `legacy-index.jsonl`, which lists older than
 * `index.jsonl`. Re-running an interrupted move only repeats lines, which fold to the same records.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { runIdProblem } from "../../sdk/core/run-id.ts";
import type { FlowRunRecord, TaskRunRecord } from "../stores/types.ts";
import { runSortKey } from "./history-keys.ts";
import { type HistoryLine, parseLine } from "./history-log.ts";

/** The run list of moved runs, beside `index.jsonl`. */
export const LEGACY_INDEX = "legacy-index.jsonl";
/** The folder of task log lines (functions/stores/local-task-logs.ts), beside the runs. */
export const TASK_LOGS_FOLDER = "logs";
/** Entries of the history folder that belong to the current layout. */
const CURRENT = new Set(["runs", "index.jsonl", LEGACY_INDEX, TASK_LOGS_FOLDER]);

/** What a move did: the runs moved. */
export interface LegacyMove {
  readonly moved: number;
}

/**
 * Moves every old-layout run folder under `root` into the current layout. Files (`.DS_Store`)
 * are left alone; a folder that is not a readable old-layout run is reported and left as it is.
 */
export async function moveLegacyHistory(root: string, problem: (message: string) => void): Promise<LegacyMove> {
  const entries = await readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const runs: FlowRunRecord[] = [];
  const done: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || CURRENT.has(entry.name)) continue;
    const folder = join(root, entry.name);
    const read = await readLegacyRun(folder, entry.name, problem);
    if (!read) continue;
    const lines: HistoryLine[] = [...read.tasks.map((task) => ({ task })), ...(read.run ? [{ run: read.run }] : [])];
    mkdirSync(join(root, "runs"), { recursive: true });
    appendFileSync(join(root, "runs", `${read.runId}.jsonl`), lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    if (read.run) runs.push(read.run);
    done.push(folder);
  }
  if (done.length === 0) return { moved: 0 };
  // Oldest first, as an append-only index would have them: it is read from its end.
  runs.sort((a, b) => (runSortKey(a) < runSortKey(b) ? -1 : 1));
  appendFileSync(join(root, LEGACY_INDEX), runs.map((run) => `${JSON.stringify({ run })}\n`).join(""));
  for (const folder of done) await rm(folder, { recursive: true, force: true });
  return { moved: done.length };
}

interface LegacyRun {
  readonly runId: string;
  readonly run: FlowRunRecord | undefined;
  readonly tasks: readonly TaskRunRecord[];
}

/** An old-layout run folder's records, or `undefined` (reported) when the folder is not one. */
async function readLegacyRun(
  folder: string,
  name: string,
  problem: (message: string) => void,
): Promise<LegacyRun | undefined> {
  const skip = (why: string): undefined => {
    problem(`skipped \`${folder}\`: ${why}; move it out of the history folder`);
    return undefined;
  };
  let runId: string;
  try {
    runId = decodeURIComponent(name);
  } catch {
    return skip("its name is not a run id");
  }
  const bad = runIdProblem(runId);
  if (bad) return skip(`its name is not a run id (${bad})`);
  // A folder with an unreadable record is left whole (and reported on each read), not half moved.
  let unreadable = 0;
  const report = (m: string) => {
    unreadable++;
    problem(`\`${folder}\`: ${m}`);
  };
  const runText = await readOptional(join(folder, "run.json"));
  const taskNames = (await readdir(join(folder, "tasks")).catch(() => [] as string[])).filter((n) => n.endsWith(".json"));
  if (runText === undefined && taskNames.length === 0) return skip("it holds no stepflow run (`run.json`, `tasks/`)");
  const run = runText === undefined ? undefined : (record(runText, "run", report) as FlowRunRecord | undefined);
  const tasks: TaskRunRecord[] = [];
  for (const n of taskNames.sort()) {
    const text = await readOptional(join(folder, "tasks", n));
    const task = text === undefined ? undefined : (record(text, "task", report) as TaskRunRecord | undefined);
    if (task) tasks.push(task);
  }
  if (unreadable > 0) return skip(`${unreadable} of its records cannot be read, so it was not moved`);
  return { runId, run, tasks };
}

/** One record file's JSON checked as a history line of `kind`; a bad one is reported and skipped. */
function record(text: string, kind: "run" | "task", report: (m: string) => void) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    report(`skipped a ${kind} record that is not JSON`);
    return undefined;
  }
  const line = parseLine(JSON.stringify({ [kind]: parsed }), report);
  return line && kind in line ? (line as Record<string, FlowRunRecord | TaskRunRecord>)[kind] : undefined;
}

async function readOptional(file: string): Promise<string | undefined> {
  return readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "EISDIR") return undefined;
    throw error;
  });
}
