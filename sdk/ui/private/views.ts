/** Records of the history shaped for the page: no large outputs, results fetched on demand. */
import type { FlowRunRecord, RunDetails, TaskRunRecord } from "../../../functions/stores/types.ts";
import type { AttemptView, RunMachine, RunSummary, RunView } from "../types.ts";

const SUMMARY_CHARS = 120;

/** The run without its output, with a one-line summary of the output or the error. */
export function summaryOf(run: FlowRunRecord): RunSummary {
  const { output, ...rest } = run;
  const summary = run.error ? `${run.error.name}: ${run.error.message}` : outputSummary(output);
  return { ...rest, ...(summary ? { summary: summary.slice(0, SUMMARY_CHARS) } : {}) };
}

function outputSummary(output: FlowRunRecord["output"]): string | undefined {
  if (output === undefined || output === null) return undefined;
  if (typeof output === "object" && !Array.isArray(output)) {
    if ("v" in output) return JSON.stringify(output.v);
    if ("s3" in output) return `stored result (${String(output.bytes)} bytes)`;
    if ("items" in output && Array.isArray(output.items)) return `${output.items.length} items`;
  }
  if (Array.isArray(output)) return `${output.length} rows`;
  return JSON.stringify(output);
}

/** The attempt without its result envelope. */
export function attemptView(t: TaskRunRecord): AttemptView {
  const { result, ...rest } = t;
  return { ...rest, hasResult: result !== undefined && result !== null };
}

/** An error as one line of text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The run view of a run's history (its record, attempts and subflow runs) and the machine it ran. */
export function runView(details: RunDetails, machine: RunMachine | undefined, consoleUrl?: string): RunView | undefined {
  const { run, tasks } = details;
  if (!run && tasks.length === 0) return undefined;
  return {
    run: run ? summaryOf(run) : undefined,
    attempts: tasks.map(attemptView),
    ...(machine ? { machine } : {}),
    ...(run?.parentRunId ? { parentRunId: run.parentRunId } : {}),
    children: (details.children ?? []).map((c) => ({ runId: c.runId, flow: c.flow, status: c.status })),
    ...(consoleUrl ? { consoleUrl } : {}),
  };
}
