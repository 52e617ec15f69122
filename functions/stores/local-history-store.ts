import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { StepflowError } from "../../sdk/core/errors.ts";
import { assertRunId } from "../../sdk/core/run-id.ts";
import { AttemptIndex } from "../private/attempt-index.ts";
import { BufferedAppends, flushAppends, type HeldLine } from "../private/buffered-appends.ts";
import { WRITTEN } from "../private/written.ts";
import { foldRun, type HistoryLine, newestRuns, parseLine, sortNewestFirst } from "../private/history-log.ts";
import { LEGACY_INDEX, moveLegacyHistory } from "../private/legacy-history.ts";
import { linesBackward } from "../private/read-lines-backward.ts";
import { type LocalStoreOptions, localDir } from "./local-result-store.ts";
import type { FlowRunRecord, HistoryStore, RunDetails, RunQuery, TaskRunRecord } from "./types.ts";


/** Options of the local history store. */
export interface LocalHistoryOptions extends LocalStoreOptions {
  /**
   * Told about each history entry that cannot be read (a corrupt line, a foreign record); the
   * entry is skipped and the rest is read. @default `console.warn`
   */
  readonly onProblem?: (message: string) => void;
}

/** The local history: a `HistoryStore` that can also list the runs of every flow at once. */
export interface LocalHistoryStore extends HistoryStore {
  /** Every flow's runs, newest first, optionally of one status. @see HistoryStore.listRuns */
  listAllRuns(query?: RunQuery): Promise<readonly FlowRunRecord[]>;
}

/**
 * History as append-only JSON-lines files, written through as things happen and never read
 * before a write:
 * - `<dir>/history/runs/<runId>.jsonl`: every record of the run, a line per write
 *   (`{"run":…}` for the flow run, `{"task":…}` for a task-run attempt, `{"child":…}` for a
 *   subflow run it started);
 * - `<dir>/history/index.jsonl`: every flow-run record of every run, in the order written,
 *   so the newest runs are read from its end without opening any run's file.
 *
 * A history in the first layout (a folder per run) is moved into this one on its first read.
 *
 * Reading folds the lines with the DynamoDB table's forward-only rule: per attempt (and for
 * the run) the record of the highest rank wins, the first one written among equals. A flow-run
 * record is on disk when `putFlowRun` returns (with every task-run line written before it), also
 * from an `exit` handler; task-run lines are written together at the end of the event-loop turn
 * (buffered-appends.ts: one system call per turn instead of two per attempt), and before any read
 * in this process. An attempt that ends before its start line was written gets its end line only
 * (it carries the start; the two would have been written together). An unreadable line is
 * reported to `onProblem` and skipped.
 */
export function localHistoryStore(options: LocalHistoryOptions = {}): LocalHistoryStore {
  const root = join(localDir(options), "history");
  const runsDir = join(root, "runs");
  const index = join(root, "index.jsonl");
  const onProblem = options.onProblem ?? ((message: string) => console.warn(`warning: ${message}`));
  let ready = false;
  const files = new BufferedAppends();
  const append = (file: string, line: HistoryLine | HeldLine) => {
    try {
      if (!ready) {
        mkdirSync(runsDir, { recursive: true });
        // The index stays open between stores (one per local run): once per store, not a removed copy.
        files.forgetIfReplaced(index);
      }
      ready = true;
      files.append(file, "withdrawn" in line ? line : `${JSON.stringify(line)}\n`);
    } catch (error) {
      throw storeError(error, root, "write");
    }
  };
  // Checked and joined once per run, not once per line.
  const runFiles = new Map<string, string>();
  const runFile = (runId: string) => {
    let file = runFiles.get(runId);
    if (file === undefined) {
      assertRunId(runId, "a history run id");
      file = join(runsDir, `${runId}.jsonl`);
      if (runFiles.size >= 1000) runFiles.clear();
      runFiles.set(runId, file);
    }
    return file;
  };
  let moved: Promise<unknown> | undefined;
  /** Moves runs of the first layout (a folder per run) in, once per store, before a read. */
  const upgrade = () => (moved ??= moveLegacyHistory(root, onProblem));
  const list = async (flow: string | undefined, query: RunQuery = {}) => {
    try {
      flushAppends();
      await upgrade();
      const limit = query.limit ?? 50;
      const problem = (file: string) => (m: string) => onProblem(`\`${file}\`: ${m}`);
      const recent = await newestRuns(linesBackward(index), { ...query, flow }, problem(index));
      if (recent.length >= limit) return recent;
      // Runs moved from the first layout are older than every run of this one.
      const legacy = join(root, LEGACY_INDEX);
      const older = await newestRuns(linesBackward(legacy), { ...query, flow, limit }, problem(legacy), () => true);
      const seen = new Set(recent.map((r) => r.runId));
      return sortNewestFirst([...recent, ...older.filter((r) => !seen.has(r.runId))]).slice(0, limit);
    } catch (error) {
      throw storeError(error, root, "list");
    }
  };

  /** Start lines of attempts not yet ended, held until written: an end record that comes first withdraws its start. */
  const starts = new AttemptIndex<HeldLine>();
  const putTask = (record: TaskRunRecord) => {
    const file = runFile(record.runId);
    const line: HeldLine = { value: record, key: "task", withdrawn: false };
    if (record.status === "RUNNING") {
      append(file, line);
      starts.set(record, line);
      return;
    }
    const start = starts.get(record);
    if (start) {
      // A no-op if the start line was written already (an attempt that spanned turns).
      start.withdrawn = true;
      starts.delete(record);
    }
    append(file, line);
  };

  return {
    // Not an async function: it runs twice per task attempt, and its work is synchronous.
    putTaskRun(record) {
      try {
        putTask(record);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      return WRITTEN;
    },
    async putFlowRun(record) {
      append(runFile(record.runId), { run: record });
      // Beside the parent's records too, so reading the parent finds its subflow runs.
      if (record.parentRunId) append(runFile(record.parentRunId), { child: record });
      append(index, { run: record });
      try {
        // The run has ended: its file is written again only if a late attempt ends, which reopens it.
        if (record.status !== "RUNNING") {
          files.close(runFile(record.runId));
          // Attempts it left running keep their start lines; a late end line is written without withdrawing one.
          starts.deleteRun(record.runId);
        }
        files.flush();
      } catch (error) {
        throw storeError(error, root, "write");
      }
    },
    async getRun(runId): Promise<RunDetails> {
      const file = runFile(runId);
      flushAppends();
      await upgrade().catch((error: unknown) => {
        throw storeError(error, root, "read");
      });
      const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return "";
        throw storeError(error, root, "read");
      });
      const lines = text.split("\n").filter((l) => l !== "");
      return foldRun(lines.map((l) => parseLine(l, (m) => onProblem(`\`${file}\`: ${m}`))));
    },
    listRuns: (flow, query) => list(flow, query),
    listAllRuns: (query) => list(undefined, query),
  };
}

/** A file system error as the store's user can act on it; a file where a folder should be is a usage error. */
function storeError(error: unknown, root: string, operation: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOTDIR" || code === "EEXIST") {
    return new StepflowError(
      `the local history folder \`${root}\` cannot be used: part of its path is a file, not a folder; pass a folder as \`dir\` (\`--dir\`)`,
      { cause: error },
    );
  }
  if (error instanceof StepflowError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StepflowError(
    `could not ${operation} the local history in \`${root}\`: ${message}; check the folder's space and permissions`,
    { cause: error },
  );
}
