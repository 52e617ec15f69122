/**
 * AWS service bounds stepflow checks at definition time, and the margins it adds around a task's
 * own `timeout`. One home, so the define checks, the compiler and the infra agree.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */

/** Lambda's longest function timeout. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** Lambda's memory bounds in MB. */
export const LAMBDA_MIN_MEMORY_MB = 128;
export const LAMBDA_MAX_MEMORY_MB = 10_240;
/** Seconds the handler gets beyond the task's timeout to store its result (part of the Lambda timeout). */
export const HANDLER_GRACE_SECONDS = 10;
/**
 * Seconds a Task state waits beyond the Lambda timeout: a cold start (Lambda's init phase may take
 * up to 10 s) and the invoke round trip. With less, the state could time out while the Lambda still
 * runs, and a retry would start a second, concurrent attempt.
 */
export const INVOKE_MARGIN_SECONDS = 20;
/** The longest `timeout` a task may ask for: its Lambda timeout (timeout + grace) stays within Lambda's. */
export const MAX_TASK_TIMEOUT_SECONDS = LAMBDA_MAX_TIMEOUT_SECONDS - HANDLER_GRACE_SECONDS;
/** An Express execution runs at most five minutes. */
export const EXPRESS_MAX_SECONDS = 300;
/** A Standard execution runs at most one year. */
export const STANDARD_MAX_SECONDS = 365 * 24 * 3600;
/** Largest `MaxAttempts`, `IntervalSeconds` and Task `TimeoutSeconds` ASL accepts. */
export const ASL_MAX_INTEGER = 99_999_999;
/** Largest `MaxDelaySeconds` of a retrier (one year and a day). */
export const ASL_MAX_DELAY_SECONDS = 31_622_400;
/** Largest `MaxConcurrency` of a Map state (a Distributed Map's child executions). */
export const MAX_MAP_CONCURRENCY = 10_000;
