/**
 * Physical names of task Lambdas: `<prefix>-<flow>_<task>` (`stepflow-etl_extract`), cut to
 * Lambda's 64 characters with a hash when too long. Flow names never contain `_`, so
 * `<prefix>-<flow>_*` names exactly one flow's functions: the state machine's invoke grant and
 * the definition's ARNs are built from names, with no reference to each function (which a flow
 * of 1,000 tasks split over nested stacks could not afford: 200 outputs per stack).
 */
import { createHash } from "node:crypto";
import { namePrefix } from "../../sdk/core/deploy-names.ts";

/** Longest function name Lambda accepts. */
const MAX_FUNCTION_NAME = 64;
/** Longest flow part of a task function name, so the task part keeps room. */
const MAX_FLOW_PART = 20;

/** `text`, or its head and a hash of all of it when longer than `max`: distinct inputs stay distinct. */
function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 8);
  return `${text.slice(0, max - hash.length - 1)}-${hash}`;
}

/** What every task function name of a flow starts with: `<stage prefix>-<flow>_`. */
export function taskFunctionPrefix(flow: string, stage?: string): string {
  return `${namePrefix(stage)}-${fit(flow, MAX_FLOW_PART)}_`;
}

/** The function name of a task of a flow. */
export function taskFunctionName(flow: string, task: string, stage?: string): string {
  const prefix = taskFunctionPrefix(flow, stage);
  // `.` is allowed in task names, not in function names: a replaced name gets a hash to stay distinct.
  const safe = task.replace(/[^A-Za-z0-9_-]/g, "-");
  const part = safe === task ? task : `${safe}-${createHash("sha256").update(task).digest("hex").slice(0, 8)}`;
  return prefix + fit(part, MAX_FUNCTION_NAME - prefix.length);
}
