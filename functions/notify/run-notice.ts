/**
 * What a notification says about a run's status change (the event itself is in ../status-event.ts).
 */
import { type ExecutionStatusDetail, lambdaCause } from "../status-event.ts";

/** What one notification reports. */
export interface RunNotice {
  readonly flow: string;
  readonly runId: string;
  readonly status: ExecutionStatusDetail["status"];
  /** The state of the task that failed, when known. */
  readonly failedTask?: string;
  readonly error?: { readonly name: string; readonly message: string };
  readonly consoleUrl: string;
}

/**
 * The error of a failed run: `error` is the error name; `cause` is the message, or for a
 * Lambda task the JSON `{ errorType, errorMessage, trace }` Lambda reports.
 */
export function runError(
  error: string | null | undefined,
  cause: string | null | undefined,
): RunNotice["error"] {
  if (!error && !cause) return undefined;
  const name = error || "Error";
  const lambda = lambdaCause(cause);
  if (lambda) return { name: lambda.errorType ?? name, message: lambda.errorMessage };
  return { name, message: cause ?? "" };
}

/** The task a stepflow error message names (`task \`x\``, `state \`y\``), if any. */
export function taskInMessage(message: string): string | undefined {
  return /state `([^`]+)`/.exec(message)?.[1] ?? /task `([^`]+)`/.exec(message)?.[1];
}
