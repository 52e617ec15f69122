/** In-memory stores: each test run starts empty and leaves nothing on disk. */
import { type FlowRunRecord, type HistoryStore, type ResultStore, type SecretStore, type TaskRunRecord } from "../../../functions/stores/types.ts";
import { ResultNotFoundError, SecretNotFoundError } from "../../../functions/errors.ts";
import { taskRank } from "../../../functions/private/history-keys.ts";
import type { Json } from "../../core/json.ts";

/**
 * Results by key, kept as JSON text so a test sees exactly what a real store would return.
 * @param data where the JSON text is kept; pass a map to read it from a test. @default a new map
 */
export function memoryResults(data: Map<string, string> = new Map()): ResultStore {
  return {
    async get(key) {
      const text = data.get(key);
      if (text === undefined)
        throw new ResultNotFoundError(`result \`${key}\` was never written in this test run`);
      return JSON.parse(text) as Json;
    },
    async put(key, value) {
      const text = JSON.stringify(value);
      data.set(key, text);
      return Buffer.byteLength(text);
    },
  };
}

/** Where `memoryHistory` keeps its records. */
export interface MemoryHistoryMaps {
  /** Current task-run records by `run/state/index/attempt`. @default a new map */
  readonly tasks?: Map<string, TaskRunRecord>;
  /** Current flow-run records by run id. @default a new map */
  readonly runs?: Map<string, FlowRunRecord>;
}

/** History with the same forward-only rule and the same orders as the real stores. */
export function memoryHistory(maps: MemoryHistoryMaps = {}): HistoryStore {
  const tasks = maps.tasks ?? new Map<string, TaskRunRecord>();
  const runs = maps.runs ?? new Map<string, FlowRunRecord>();
  // Sorted as the DynamoDB sort keys sort: `<state>#<index>#<attempt>` and `<startedAt>#<runId>`.
  const taskKey = (t: TaskRunRecord) =>
    `${t.state}#${String(t.mapIndex ?? 0).padStart(6, "0")}#${String(t.attempt).padStart(3, "0")}`;
  const byStateIndexAttempt = (a: TaskRunRecord, b: TaskRunRecord) => (taskKey(a) < taskKey(b) ? -1 : 1);
  const newestFirst = (a: FlowRunRecord, b: FlowRunRecord) =>
    `${a.startedAt}#${a.runId}` < `${b.startedAt}#${b.runId}` ? 1 : -1;
  return {
    async putTaskRun(r) {
      const key = `${r.runId}/${r.state}/${r.mapIndex ?? 0}/${r.attempt}`;
      const old = tasks.get(key);
      if (!old || taskRank(old.status) < taskRank(r.status)) tasks.set(key, r);
    },
    async putFlowRun(r) {
      const old = runs.get(r.runId);
      if (!old || old.rank < r.rank) runs.set(r.runId, r);
    },
    async getRun(runId) {
      const own = [...tasks.values()].filter((t) => t.runId === runId).sort(byStateIndexAttempt);
      const children = [...runs.values()].filter((r) => r.parentRunId === runId).sort(newestFirst).reverse();
      return { run: runs.get(runId), tasks: own, children };
    },
    async listRuns(flow, q = {}) {
      return [...runs.values()]
        .filter((r) => r.flow === flow && (!q.status || r.status === q.status))
        .sort(newestFirst)
        .slice(0, q.limit ?? 50);
    },
  };
}

/** Secrets from a plain object only: the environment and `.stepflow/secrets.json` stay out of tests. */
export function memorySecrets(values: Readonly<Record<string, string>>): SecretStore {
  return {
    async get(name) {
      if (!Object.hasOwn(values, name)) {
        throw new SecretNotFoundError(
          `secret \`${name}\` is not set in this test; pass it with \`runFlow(flow, params, { secrets: { "${name}": "..." } })\``,
        );
      }
      return values[name];
    },
  };
}
