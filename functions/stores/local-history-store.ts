import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { keyedLock, readJsonFile, writeAtomic } from "../private/files.ts";
import { runSortKey, taskRank, taskSk } from "../private/history-keys.ts";
import { type LocalStoreOptions, localDir } from "./local-result-store.ts";
import type { FlowRunRecord, HistoryStore, RunDetails, RunQuery, TaskRunRecord } from "./types.ts";

/** The local history: a `HistoryStore` that can also list the runs of every flow at once. */
export interface LocalHistoryStore extends HistoryStore {
  /** Every flow's runs, newest first, optionally of one status. @see HistoryStore.listRuns */
  listAllRuns(query?: RunQuery): Promise<readonly FlowRunRecord[]>;
}

/**
 * History as JSON files: `<dir>/history/<runId>/run.json` for the flow run and
 * `<dir>/history/<runId>/tasks/<sk>.json` for each task-run attempt (`sk` as in DynamoDB:
 * `TASK#<state>#<index>#<attempt>`), with the same forward-only update rule as the table.
 */
export function localHistoryStore(options: LocalStoreOptions = {}): LocalHistoryStore {
  const root = join(localDir(options), "history");
  const lock = keyedLock();
  const runDir = (runId: string) => join(root, encodeURIComponent(runId));
  const taskFile = (r: TaskRunRecord) =>
    join(runDir(r.runId), "tasks", `${encodeURIComponent(taskSk(r))}.json`);

  /** Writes `record` unless the stored one has the same or a higher rank. */
  const putRanked = <T extends object>(file: string, record: T, rank: (r: T) => number) =>
    lock(file, async () => {
      const stored = await readJsonFile<T>(file);
      if (stored && rank(stored) >= rank(record)) return;
      await writeAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
    });

  const readRun = (runId: string) => readJsonFile<FlowRunRecord>(join(runDir(runId), "run.json"));
  /** Reads every run record once; `flow` undefined means every flow. */
  const list = async (flow: string | undefined, query: RunQuery = {}) => {
    const runs = await Promise.all((await listDir(root)).map((d) => readRun(decodeURIComponent(d))));
    return runs
      .filter(
        (r): r is FlowRunRecord =>
          r !== undefined && (flow === undefined || r.flow === flow) && (!query.status || r.status === query.status),
      )
      .sort((a, b) => (runSortKey(a) < runSortKey(b) ? 1 : -1))
      .slice(0, query.limit ?? 50);
  };

  return {
    putTaskRun: (record) => putRanked(taskFile(record), record, (r) => taskRank(r.status)),
    putFlowRun: (record) => putRanked(join(runDir(record.runId), "run.json"), record, (r) => r.rank),
    async getRun(runId): Promise<RunDetails> {
      const dir = join(runDir(runId), "tasks");
      const names = (await listDir(dir)).filter((n) => n.endsWith(".json")).sort();
      const tasks = await Promise.all(names.map((n) => readJsonFile<TaskRunRecord>(join(dir, n))));
      return { run: await readRun(runId), tasks: tasks.filter((t): t is TaskRunRecord => t !== undefined) };
    },
    listRuns: (flow, query) => list(flow, query),
    listAllRuns: (query) => list(undefined, query),
  };
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
