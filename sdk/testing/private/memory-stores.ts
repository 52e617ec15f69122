/** In-memory stores: each test run starts empty and leaves nothing on disk. */
import {
  type FlowRunRecord,
  type HistoryStore,
  ResultNotFoundError,
  type ResultStore,
  SecretNotFoundError,
  type SecretStore,
  type TaskRunRecord,
} from "../../../functions/index.ts";
import type { Json } from "../../graph/types.ts";

/** Results by key, kept as JSON text so a test sees exactly what a real store would return. */
export function memoryResults(): ResultStore {
  const data = new Map<string, string>();
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

/** History with the same forward-only rule as the real stores. */
export function memoryHistory(): HistoryStore {
  const tasks = new Map<string, TaskRunRecord>();
  const runs = new Map<string, FlowRunRecord>();
  const rank = (s: string) => (s === "RUNNING" ? 0 : 1);
  return {
    async putTaskRun(r) {
      const key = `${r.runId}/${r.state}/${r.mapIndex ?? 0}/${r.attempt}`;
      const old = tasks.get(key);
      if (!old || rank(old.status) < rank(r.status)) tasks.set(key, r);
    },
    async putFlowRun(r) {
      const old = runs.get(r.runId);
      if (!old || old.rank < r.rank) runs.set(r.runId, r);
    },
    async getRun(runId) {
      return { run: runs.get(runId), tasks: [...tasks.values()].filter((t) => t.runId === runId) };
    },
    async listRuns(flow, q = {}) {
      return [...runs.values()]
        .filter((r) => r.flow === flow && (!q.status || r.status === q.status))
        .sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))
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
