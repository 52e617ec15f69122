/**
 * What the state machine sees when a task fails. Lambda turns a thrown error's `name` into the
 * state's `Error` and its message into the `Cause`; aws-local-stepfunctions matches
 * `Retry.ErrorEquals` against `error.name` and skips retries when `error.isRetryable` is false.
 * So the error keeps its name and message, and a `NonRetriableError` is marked not retryable.
 */
import { NonRetriableError } from "../../sdk/errors.ts";
import { redact } from "./redact.ts";

/** An error as thrown to the engine; `isRetryable` is read by aws-local-stepfunctions. */
export type EngineError = Error & { isRetryable?: boolean };

/** Converts whatever a task threw into an `Error` that keeps its name, with secrets redacted. */
export function toEngineError(thrown: unknown, secrets: ReadonlySet<string>): EngineError {
  const original = thrown instanceof Error ? thrown : undefined;
  const name = original?.name || "Error";
  const message = original ? original.message : describeThrown(thrown);
  const cleanMessage = redact(message, secrets);
  const cleanStack = original?.stack === undefined ? undefined : redact(original.stack, secrets);
  let error: EngineError;
  if (original && cleanMessage === message && cleanStack === original.stack) {
    error = original;
  } else {
    // A copy without `cause`: the cause chain may hold the secret values just redacted.
    error = new Error(cleanMessage);
    error.name = name;
    error.stack = cleanStack ?? `${name}: ${cleanMessage}`;
  }
  if (thrown instanceof NonRetriableError || name === "NonRetriableError") {
    Object.defineProperty(error, "isRetryable", { value: false, enumerable: false });
  }
  return error;
}

/** `name` and `message` for history records. */
export function errorSummary(error: Error): { name: string; message: string } {
  return {
    name: error.name,
    message: error.message.length > 2000 ? `${error.message.slice(0, 1997)}...` : error.message,
  };
}

function describeThrown(thrown: unknown): string {
  if (typeof thrown === "string") return thrown;
  try {
    return `a non-Error value was thrown: ${JSON.stringify(thrown)}`;
  } catch {
    return `a non-Error value was thrown: ${String(thrown)}`;
  }
}
