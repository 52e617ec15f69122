/**
 * What the state machine sees when a task fails. Lambda turns a thrown error's `name` into the
 * state's `Error` and its message into the `Cause`; aws-local-stepfunctions matches
 * `Retry.ErrorEquals` against `error.name` and skips retries when `error.isRetryable` is false.
 * So the error keeps its name and message, and a `NonRetriableError` is marked not retryable, as
 * are errors no retry can fix (see `cannotSucceedOnRetry`).
 */
import { NonRetriableError } from "../../sdk/core/errors.ts";
import { SecretsFileError } from "../errors.ts";
import { containsSecret, redact } from "./redact.ts";
import { truncate } from "./truncate.ts";

/** An error as thrown to the engine; `isRetryable` is read by aws-local-stepfunctions. */
type EngineError = Error & { isRetryable?: boolean };

/**
 * Errors of the code itself: running it again runs the same code. A `TypeError` with a `cause`
 * is left out: `fetch` reports network failures as `TypeError: fetch failed` with the cause.
 */
const PROGRAMMING_ERRORS = new Set(["ReferenceError", "SyntaxError", "TypeError"]);

/**
 * Converts whatever a task threw into an `Error` that keeps its name, with secrets redacted.
 * `retryOn` (the task's option) lists error names the task wants retried whatever they are.
 */
export function toEngineError(
  thrown: unknown,
  secrets: ReadonlySet<string>,
  retryOn: readonly string[] = [],
): EngineError {
  const error: EngineError = redactError(thrown, secrets);
  if (cannotSucceedOnRetry(thrown, error.name) && !retryOn.includes(error.name)) {
    Object.defineProperty(error, "isRetryable", { value: false, enumerable: false });
  }
  return error;
}

/**
 * A `NonRetriableError`, a programming error (`ReferenceError`, `SyntaxError`, a `TypeError`
 * without a cause) or a bad local secrets file: retries would wait their delays to fail the same way.
 */
function cannotSucceedOnRetry(thrown: unknown, name: string): boolean {
  if (thrown instanceof NonRetriableError || name === "NonRetriableError") return true;
  if (thrown instanceof SecretsFileError) return true;
  return thrown instanceof Error && PROGRAMMING_ERRORS.has(name) && thrown.cause === undefined;
}

/**
 * `thrown` as an `Error` holding none of the `secrets`: the error itself when its message, stack
 * and serialised properties are clean, else a copy with its name and the redacted message and
 * stack only. The copy has no `cause` or other properties: they may hold the values just redacted.
 */
export function redactError(thrown: unknown, secrets: ReadonlySet<string>): Error {
  const original = thrown instanceof Error ? thrown : undefined;
  const name = original?.name || "Error";
  const message = original ? original.message : describeThrown(thrown);
  const cleanMessage = redact(message, secrets);
  const cleanStack = original?.stack === undefined ? undefined : redact(original.stack, secrets);
  if (
    original &&
    cleanMessage === message &&
    cleanStack === original.stack &&
    !(secrets.size > 0 && containsSecret(serialised(original), secrets))
  ) {
    return original;
  }
  const error = new Error(cleanMessage);
  error.name = name;
  error.stack = cleanStack ?? `${name}: ${cleanMessage}`;
  return error;
}

/**
 * The error as the Lambda runtime logs a failed invocation ("Invoke Error"): JSON of its
 * enumerable properties, `toJSON` honoured, nested errors included (e.g. an HTTP client's error
 * carrying the request's headers).
 */
function serialised(error: Error): string {
  try {
    return (
      JSON.stringify(error, (_key, value: unknown) =>
        value instanceof Error ? { ...value, name: value.name, message: value.message } : value,
      ) ?? ""
    );
  } catch {
    // Not serialisable (circular, BigInt): the runtime then logs only name, message and stack,
    // which are checked apart.
    return "";
  }
}

/** `name` and `message` for history records. */
export function errorSummary(error: Error): { name: string; message: string } {
  return {
    name: error.name,
    message: truncate(error.message, 2000),
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
