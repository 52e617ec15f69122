/**
 * Errors the task runtime throws. Each names the identifier in backticks and gives the fix.
 * Errors thrown by a task function are not wrapped: they keep their own `name` and `message`
 * so that `retryOn` and `Retry.ErrorEquals` can match them.
 */
import { StepflowError } from "../sdk/core/errors.ts";
import { LIST_STORED_ERROR } from "../sdk/core/protocol.ts";

/** A request named a task this handler does not have. */
export class UnknownTaskError extends StepflowError {
  override name = "UnknownTaskError";
}

/** A task ran longer than its `timeout` option. */
export class TaskTimeoutError extends StepflowError {
  override name = "TaskTimeoutError";
}

/** A secret the task needs does not exist in the secret store. */
export class SecretNotFoundError extends StepflowError {
  override name = "SecretNotFoundError";
}

/**
 * The local secrets file (`.stepflow/secrets.json`) cannot serve a secret: it is not valid JSON,
 * or the secret's value is not a string. Retrying cannot fix a file, so the task fails at once.
 */
export class SecretsFileError extends StepflowError {
  override name = "SecretsFileError";
}

/** A stored result the task needs is missing (expired, or written by another deployment). */
export class ResultNotFoundError extends StepflowError {
  override name = "ResultNotFoundError";
}

/** A task's inputs or result break the payload protocol (lengths, hints, sizes, JSON). */
export class PayloadError extends StepflowError {
  override name = "PayloadError";
}

/** A store's AWS call kept failing (no answer, 5xx, throttling) through its retries; names the store and the operation. */
export class StoreError extends StepflowError {
  override name = "StoreError";
}

/**
 * Not a failure: the task stored a list too long for an inline Map, and its state's `Catch` runs
 * the Distributed Map over it (see `TaskRequest.spill`). The message is the list's envelope.
 */
export class ListStoredError extends StepflowError {
  override name = LIST_STORED_ERROR;
}
