/**
 * What the state machine sees when a task fails. Lambda turns a thrown error's `name` into the
 * state's `Error` and its message into the `Cause`, and the state's `Retry` matches that name
 * alone: the compiled Retry fails `NonRetriableError` and programming errors (`ReferenceError`,
 * `SyntaxError`, `TypeError`) at once (sdk/compile). So the error keeps its name and message,
 * and the names that decide a retry are made exact here.
 */
import { NonRetriableError } from "../../sdk/core/errors.ts";
import { containsSecret, redact } from "./redact.ts";
import { truncate } from "./truncate.ts";

/** Converts whatever a task threw into an `Error` that keeps its name, with secrets redacted. */
export function toEngineError(thrown: unknown, secrets: ReadonlySet<string>): Error {
  return redactError(asNonRetriable(asFetchError(thrown)), secrets);
}

/**
 * A subclass of `NonRetriableError` with a `name` of its own would reach AWS under that name, which
 * the compiled Retry (listing `NonRetriableError`) does not match: AWS would retry it while a
 * local run did not. It is reported as `NonRetriableError`, its own name leading the message.
 */
function asNonRetriable(thrown: unknown): unknown {
  if (!(thrown instanceof NonRetriableError) || thrown.name === "NonRetriableError") return thrown;
  const error = new Error(`${thrown.name}: ${thrown.message}`);
  error.name = "NonRetriableError";
  error.stack = `NonRetriableError: ${error.message}${thrown.stack?.slice(thrown.stack.indexOf("\n")) ?? ""}`;
  return error;
}

/**
 * `fetch` (undici) reports a network failure as `TypeError: fetch failed`, the reason in its
 * `cause`. A state machine's Retry sees only the error's name, so this one is renamed
 * `FetchError`, with the cause's message in its own: retried as a network failure, while a
 * `TypeError` of the task's code fails at once, on AWS as locally.
 */
function asFetchError(thrown: unknown): unknown {
  if (!(thrown instanceof TypeError) || thrown.message !== "fetch failed") return thrown;
  const cause = thrown.cause instanceof Error ? thrown.cause.message : thrown.cause === undefined ? "" : String(thrown.cause);
  const error = new Error(cause ? `fetch failed: ${cause}` : "fetch failed", { cause: thrown.cause });
  error.name = "FetchError";
  error.stack = `FetchError: ${error.message}${thrown.stack?.slice(thrown.stack.indexOf("\n")) ?? ""}`;
  return error;
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
