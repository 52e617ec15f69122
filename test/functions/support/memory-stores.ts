/**
 * The in-memory stores stepflow/testing ships, wrapped for the runtime's unit tests: the
 * wrappers add only what tests read (the maps written into, and counters of writes).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { vi } from "vitest";
import type { FlowRunRecord, HistoryStore, ResultStore, TaskRunRecord } from "../../../functions/index.ts";
import { memoryHistory as shippedHistory, memoryResults as shippedResults } from "../../../sdk/testing/private/memory-stores.ts";

export { memorySecrets } from "../../../sdk/testing/private/memory-stores.ts";

export interface MemoryResults extends ResultStore {
  /** JSON text by key. */
  readonly data: Map<string, string>;
  /** How many times `put` was called. */
  puts: number;
}

export function memoryResults(): MemoryResults {
  const data = new Map<string, string>();
  const inner = shippedResults(data);
  const store: MemoryResults = {
    data,
    puts: 0,
    get: (key) => inner.get(key),
    put: (key, value) => {
      store.puts++;
      return inner.put(key, value);
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
  const inner = shippedHistory({ tasks, runs });
  return {
    writes,
    tasks,
    runs,
    putTaskRun: (r) => {
      writes.push(r);
      return inner.putTaskRun(r);
    },
    putFlowRun: (r) => inner.putFlowRun(r),
    getRun: (runId) => inner.getRun(runId),
    listRuns: (flow, q) => inner.listRuns(flow, q),
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
