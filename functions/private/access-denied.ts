/**
 * An AWS request the Lambda's role is not allowed to make fails the same way on every attempt,
 * so it becomes a `NonRetriableError` (the state machine's retriers skip it) that names the
 * request and the fix, instead of being retried by the task's `States.ALL` retrier.
 */
import { NonRetriableError } from "../../sdk/core/errors.ts";

/** Error names AWS services use for an IAM denial. */
const DENIED = new Set(["AccessDenied", "AccessDeniedException"]);

/** Whether `error` is AWS refusing the request on IAM grounds. */
export function isAccessDenied(error: unknown): boolean {
  return DENIED.has((error as { name?: string } | undefined)?.name ?? "");
}

/** `error` as a non-retriable error naming `action` on `resource`, when it is an IAM denial; else `error`. */
export function denialOf(error: unknown, action: string, resource: string, fix: string): unknown {
  if (!isAccessDenied(error)) return error;
  return new NonRetriableError(
    `\`${action}\` on \`${resource}\` was denied (${(error as Error).name}): ${(error as Error).message}; ${fix}. Not retried: a denial does not change between attempts`,
    { cause: error },
  );
}
