import { stat } from "node:fs/promises";
import { join } from "node:path";
import { type EncodedValue, resolveOutput } from "../../functions/resolve-output.ts";
import { localDir, localResultStore } from "../../functions/stores/local-result-store.ts";
import { localHistoryStore } from "../../functions/stores/local-history-store.ts";
import { localTaskLogs } from "../../functions/stores/local-task-logs.ts";
import type { TaskRunRecord } from "../../functions/stores/types.ts";
import { StepflowError } from "../core/errors.ts";
import { ExecutionLog, type RunMachine as RecordedMachine } from "../local/private/executions.ts";
import { machineOfDefinition } from "./private/deployed-machine.ts";
import { startLocalRetry } from "./private/local-retry.ts";
import { assertRunId } from "../core/run-id.ts";
import { errorText, runView, summaryOf } from "./private/views.ts";
import type { AttemptDetail, AttemptKey, RunMachine, RunSource, RunSummary, RunView } from "./types.ts";

/** Run views kept built, the most recently asked for. */
const VIEWS_KEPT = 20;

/** Options of `localRunSource`. */
export interface LocalRunSourceOptions {
  /** The project folder. @default `.stepflow` in the current directory */
  readonly dir?: string;
  /** Told about unreadable history entries (skipped). @default none: the page shows what can be read */
  readonly onProblem?: (message: string) => void;
}

/** Runs from the local history under `<dir>/history/` (what `stepflow run` and `runLocal` write). */
export function localRunSource(options: LocalRunSourceOptions = {}): RunSource {
  const dir = localDir(options);
  const history = localHistoryStore({ dir, onProblem: options.onProblem ?? (() => {}) });
  const executions = new ExecutionLog(dir);
  const results = localResultStore({ dir });
  const taskLogs = localTaskLogs({ dir });
  // Views of finished runs are asked for again and again (each open page, each change notice):
  // one is built again only when the run's files changed.
  const views = new Map<string, { version: string; view: Promise<RunView | undefined> }>();
  const sizeOf = async (file: string) => {
    const s = await stat(file).catch(() => undefined);
    return s ? `${s.size}.${s.mtimeMs}` : "-";
  };
  return {
    kind: "local",
    async listRuns(filter) {
      const runs = filter.flow
        ? await history.listRuns(filter.flow, { status: filter.status, limit: filter.limit ?? 200 })
        : await history.listAllRuns({ status: filter.status, limit: filter.limit ?? 200 });
      return runs.map(summaryOf);
    },
    async getRun(runId) {
      assertRunId(runId, "the run id in the page's address");
      const version = await this.version(runId);
      const cached = views.get(runId);
      if (cached?.version === version) return cached.view;
      const view = Promise.all([history.getRun(runId), executions.machineOf(runId)]).then(([d, m]) => runView(d, m && withMaps(m)));
      views.delete(runId);
      views.set(runId, { version, view });
      if (views.size > VIEWS_KEPT) views.delete(views.keys().next().value!);
      view.catch(() => views.delete(runId));
      return view;
    },
    async getAttempt(runId, key) {
      assertRunId(runId, "the run id in the page's address");
      const { tasks } = await history.getRun(runId);
      const record = tasks.find((t) => sameAttempt(t, key));
      if (!record) return undefined;
      const [detail, logs] = await Promise.all([attemptDetail(record, (value) => resolveOutput(results, value)), taskLogs.read(runId, key)]);
      return { ...detail, logs };
    },
    async retry(runId) {
      const { run } = await history.getRun(runId);
      if (!run) throw new StepflowError(`there is no local run \`${runId}\` in \`${dir}\``);
      return startLocalRetry(dir, run, () => this.listRuns({ flow: run.flow, limit: 20 }));
    },
    async version(runId) {
      const files = [join(dir, "history", "index.jsonl")];
      if (runId) {
        assertRunId(runId, "the run id in the page's address");
        files.push(join(dir, "history", "runs", `${runId}.jsonl`), join(dir, "executions", `${runId}.jsonl`));
      }
      return (await Promise.all(files.map(sizeOf))).join("/");
    },
  };
}

/**
 * The machine as the run graph needs it. A record from before the compile index's facts were kept
 * (no `maps`) also lacks a switched Map's Distributed copies in `tasks`: both are read from its
 * definition, the recorded tasks winning.
 */
function withMaps(m: RecordedMachine): RunMachine {
  if (m.maps) return { ...m, maps: m.maps };
  const read = machineOfDefinition(m.stateMachineName, m.definition);
  return { ...m, tasks: { ...read.tasks, ...m.tasks }, maps: read.maps };
}

/** True when `t` is the attempt `key` names. */
export function sameAttempt(t: TaskRunRecord, key: AttemptKey): boolean {
  return t.state === key.state && t.attempt === key.attempt && (t.mapIndex ?? -1) === (key.mapIndex ?? -1);
}

/** The attempt's result read back through `resolve`; a result that cannot be read says why. */
export async function attemptDetail(
  record: TaskRunRecord,
  resolve: (value: EncodedValue) => Promise<RunSummary["params"]>,
): Promise<AttemptDetail> {
  if (record.result === undefined || record.result === null) return { logs: [] };
  try {
    return { result: (await resolve(record.result as EncodedValue)) ?? null, logs: [] };
  } catch (error) {
    return { resultError: errorText(error), logs: [] };
  }
}
