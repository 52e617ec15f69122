/**
 * How the task handler runs a task function: in this process by default (Lambda, tests), or
 * elsewhere (the local runner's worker threads, which can stop an attempt stuck in CPU-bound code).
 */
import type { TaskContext } from "../sdk/core/task-context.ts";
import type { RuntimeTask } from "../sdk/core/runtime-task.ts";
import { StepflowError } from "../sdk/core/errors.ts";
import { TaskTimeoutError } from "./errors.ts";
import { type RunLog, withConsoleCapture } from "./private/run-log.ts";
import { isThenable, settleWithin } from "./private/timeout.ts";

/** One call of a task function with its resolved arguments. */
export interface TaskCall {
  readonly task: RuntimeTask;
  readonly args: readonly unknown[];
  readonly context: TaskContext;
  /** Where the function's `console.*` lines go. */
  readonly log: RunLog;
}

/**
 * Runs a task function under its `timeout`: resolves with its return value, rejects with what it
 * threw, with `TaskTimeoutError` when it is still waiting at the deadline, or with
 * `StatesTimeoutError` when CPU-bound code ran past it. An invoker may also return the value of
 * a function that returned at once, without a promise (the in-process one does).
 */
export type TaskInvoker = (call: TaskCall) => unknown;

/**
 * An attempt that ran past its `timeout` in CPU-bound code, which no timer can interrupt: the
 * Lambda would be stopped, and Step Functions fails the state with `States.Timeout`.
 */
export class StatesTimeoutError extends StepflowError {
  override name = "States.Timeout";
}

/** The message of a timed-out attempt, shared by every invoker. */
export function timeoutMessage(call: TaskCall, how: string): string {
  const seconds = call.task.options.timeoutSeconds;
  return `task \`${call.task.taskName}\` (state \`${call.context.state}\`) ${how} its \`timeout\` of ${seconds} seconds; make it faster or raise \`timeout\` in its options`;
}

/** Calls the task's function in this thread, with its task context and its `console.*` lines captured. */
export function callTaskFunction(call: TaskCall): unknown {
  return withConsoleCapture(call.log, call.context, () => call.task.fn(...call.args), call.task.fn);
}

/**
 * Runs the function in this process. A timer fails an attempt still waiting at the deadline; an
 * attempt whose CPU-bound code kept the timer from firing fails when it returns, so a local run
 * never passes an attempt that ran past its timeout.
 */
export const inProcessInvoker: TaskInvoker = (call) => {
  const seconds = call.task.options.timeoutSeconds;
  const deadline = performance.now() + seconds * 1000;
  // Not an async function: a function that returns at once (most) is answered with its value, no
  // promise. No named closure either: tsx names each one with a call, per attempt.
  let value: unknown;
  try {
    value = callTaskFunction(call);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  if (!isThenable(value)) return performance.now() > deadline ? Promise.reject(cpuBound(call)) : value;
  return settleWithin(value, seconds, () => new TaskTimeoutError(timeoutMessage(call, "did not finish within"))).then(
    (settled) => {
      if (performance.now() > deadline) throw cpuBound(call);
      return settled;
    },
  );
};

function cpuBound(call: TaskCall): StatesTimeoutError {
  return new StatesTimeoutError(timeoutMessage(call, "ran CPU-bound code past"));
}
