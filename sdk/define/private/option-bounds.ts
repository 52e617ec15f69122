/**
 * The AWS bounds a task's options must respect (Lambda timeout and memory, retrier fields, error
 * names). Checked when the task is defined and reported with the problems of each flow that calls
 * it, so a definition AWS would reject never reaches a deploy or a local run.
 */
import {
  ASL_MAX_DELAY_SECONDS,
  ASL_MAX_INTEGER,
  HANDLER_GRACE_SECONDS,
  LAMBDA_MAX_MEMORY_MB,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  LAMBDA_MIN_MEMORY_MB,
  MAX_TASK_TIMEOUT_SECONDS,
} from "../../core/limits.ts";
import type { ResolvedTaskOptions } from "../../graph/options.ts";

/**
 * The `States.` error names a retrier may list. `States.DataLimitExceeded` and `States.Runtime` are
 * terminal: AWS never retries them.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
const RETRIABLE_STATES_ERRORS = new Set([
  "States.ALL",
  "States.BranchFailed",
  "States.ExceedToleratedFailureThreshold",
  "States.HeartbeatTimeout",
  "States.Http.Socket",
  "States.IntrinsicFailure",
  "States.ItemReaderFailed",
  "States.NoChoiceMatched",
  "States.ParameterPathFailure",
  "States.Permissions",
  "States.QueryEvaluationError",
  "States.ResultPathMatchFailure",
  "States.ResultWriterFailed",
  "States.TaskFailed",
  "States.Timeout",
]);
const TERMINAL_STATES_ERRORS = new Set(["States.DataLimitExceeded", "States.Runtime"]);

/** Every AWS bound `options` break, each with its fix. */
export function taskOptionProblems(name: string, o: ResolvedTaskOptions): string[] {
  const what = (field: string) => `task \`${name}\` option \`${field}\``;
  const problems: string[] = [];
  if (o.timeoutSeconds > MAX_TASK_TIMEOUT_SECONDS) {
    problems.push(
      `${what("timeout")} is ${o.timeoutSeconds} s; stepflow adds ${HANDLER_GRACE_SECONDS} s for storing the result, so its Lambda timeout would be ${o.timeoutSeconds + HANDLER_GRACE_SECONDS} s, over Lambda's ${LAMBDA_MAX_TIMEOUT_SECONDS} s limit; use at most ${MAX_TASK_TIMEOUT_SECONDS} s ("14 minutes 50 seconds"), or split the work into several tasks or a \`.map\``,
    );
  }
  if (o.memory < LAMBDA_MIN_MEMORY_MB || o.memory > LAMBDA_MAX_MEMORY_MB) {
    problems.push(
      `${what("memory")} is ${o.memory} MB; Lambda accepts ${LAMBDA_MIN_MEMORY_MB} to ${LAMBDA_MAX_MEMORY_MB.toLocaleString("en-US")} MB, so pick a value in that range`,
    );
  }
  const integer = (field: string, value: number | undefined, max: number, min = 0) => {
    if (value !== undefined && (value > max || value < min))
      problems.push(`${what(field)} is ${value}; AWS accepts ${min} to ${max.toLocaleString("en-US")}; use a value in that range`);
  };
  integer("retries", o.retries, ASL_MAX_INTEGER);
  integer("retryDelay", o.retryDelaySeconds, ASL_MAX_INTEGER, 1);
  integer("maxDelay", o.maxDelaySeconds, ASL_MAX_DELAY_SECONDS, 1);
  if (o.retryOn) problems.push(...retryOnProblems(what("retryOn"), o.retryOn));
  return problems;
}

/** The shape rules AWS applies to a retrier's `ErrorEquals`. */
function retryOnProblems(what: string, names: readonly string[]): string[] {
  if (names.length === 0) {
    return [`${what} is empty; AWS needs at least one error name in a retrier: name the errors to retry, or leave \`retryOn\` out to retry every error`];
  }
  const problems: string[] = [];
  if (names.includes("States.ALL") && names.length > 1) {
    problems.push(
      `${what} lists \`States.ALL\` with other names; AWS requires \`States.ALL\` alone (in the last retrier): use \`retryOn: ["States.ALL"]\` (or leave \`retryOn\` out) to retry every error, or list only specific names`,
    );
  }
  for (const name of names) {
    if (typeof name !== "string" || name.trim() === "" || name.trim() !== name) {
      problems.push(`${what} has the error name \`${String(name)}\`; an error name is a non-empty string without surrounding spaces, such as \`TypeError\` or \`States.Timeout\``);
    } else if (TERMINAL_STATES_ERRORS.has(name)) {
      problems.push(`${what} lists \`${name}\`, which AWS never retries (a terminal error); remove it`);
    } else if (name.startsWith("States.") && !RETRIABLE_STATES_ERRORS.has(name)) {
      problems.push(
        `${what} lists \`${name}\`, which is not a Step Functions error (names starting with \`States.\` are reserved); use one of ${[...RETRIABLE_STATES_ERRORS].map((n) => `\`${n}\``).join(", ")}, or your error's own \`name\``,
      );
    } else if (name === "NonRetriableError") {
      problems.push(`${what} lists \`NonRetriableError\`, which stepflow never retries (that is what it is for); remove it, or throw another error type`);
    }
  }
  return problems;
}

const problemsOf = new WeakMap<object, readonly string[]>();

/** Remembers the bound problems of a task object (each `task(...)` and `.with(...)` copy). */
export function setTaskProblems(task: object, problems: readonly string[]): void {
  if (problems.length) problemsOf.set(task, problems);
}

/** The bound problems of a task object, reported by the flows that call it. */
export function taskProblems(task: object): readonly string[] {
  return problemsOf.get(task) ?? [];
}
