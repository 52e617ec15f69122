/** In-memory stores and log capture for the runtime's unit tests. */
import { Logger } from "@aws-lambda-powertools/logger";
import { vi } from "vitest";
import { ResultNotFoundError, SecretNotFoundError } from "../../../functions/errors.ts";
import type {
  FlowRunRecord,
  HistoryStore,
  ResultStore,
  SecretStore,
  TaskRunRecord,
} from "../../../functions/index.ts";
import type { Json } from "../../../sdk/graph/types.ts";

export interface MemoryResults extends ResultStore {
  readonly data: Map<string, string>;
  puts: number;
}

export function memoryResults(): MemoryResults {
  const data = new Map<string, string>();
  const store: MemoryResults = {
    data,
    puts: 0,
    async get(key) {
      const text = data.get(key);
      if (text === undefined) throw new ResultNotFoundError(`no \`${key}\``);
      return JSON.parse(text) as Json;
    },
    async put(key, value) {
      store.puts++;
      const text = JSON.stringify(value);
      data.set(key, text);
      return Buffer.byteLength(text);
    },
  };
  return store;
}

export interface MemoryHistory extends HistoryStore {
  /** Every write attempted, in order. */
  readonly writes: TaskRunRecord[];
  /** Current records by `run/state/index/attempt`. */
  readonly tasks: Map<string, TaskRunRecord>;
  readonly runs: Map<string, FlowRunRecord>;
}

export function memoryHistory(): MemoryHistory {
  const tasks = new Map<string, TaskRunRecord>();
  const runs = new Map<string, FlowRunRecord>();
  const writes: TaskRunRecord[] = [];
  const rank = (s: string) => (s === "RUNNING" ? 0 : 1);
  return {
    writes,
    tasks,
    runs,
    async putTaskRun(r) {
      writes.push(r);
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
      return [...runs.values()].filter((r) => r.flow === flow && (!q.status || r.status === q.status));
    },
  };
}

export function memorySecrets(values: Record<string, string>): SecretStore {
  return {
    async get(name) {
      if (!Object.hasOwn(values, name)) throw new SecretNotFoundError(`secret \`${name}\` is not set`);
      return values[name];
    },
  };
}

/** Log lines a Powertools logger printed (stdout, and stderr for warnings and errors), parsed. */
export function captureLogs(): { lines: Record<string, unknown>[]; restore: () => void } {
  const lines: Record<string, unknown>[] = [];
  const collect = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split("\n")) {
      if (line.trim().startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(collect),
    vi.spyOn(process.stderr, "write").mockImplementation(collect),
  ];
  return {
    lines,
    restore: () => {
      for (const s of spies) s.mockRestore();
    },
  };
}

/** A logger for tests (prints JSON lines to stdout, as in Lambda). */
export function testLogger(): Logger {
  return new Logger({ serviceName: "stepflow-test", logLevel: "DEBUG" });
}

/** A logger that prints nothing (tests that do not look at logs). */
export function quietLogger(): Logger {
  return new Logger({ serviceName: "stepflow-test", logLevel: "SILENT" });
}
