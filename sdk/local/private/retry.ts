import type { Retrier } from "../../compile/asl.ts";

/** Defaults of the States Language for a retrier's fields. */
const DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 } as const;

/**
 * Predicts what the engine does with `error` thrown by a Task state, following the States
 * Language rules (as aws-local-stepfunctions applies them): the first retrier whose `ErrorEquals`
 * matches decides; it retries while its own attempt count is below `MaxAttempts`.
 * `counts` holds each retrier's attempts so far for this state call and is updated.
 * @returns the delay before the retry in milliseconds (the upper bound under full jitter), or
 * `undefined` when the error fails the state.
 */
export function nextRetryDelay(
  retriers: readonly Retrier[] | undefined,
  error: unknown,
  counts: number[],
  fast: boolean,
): number | undefined {
  // A NonRetriableError (isRetryable false) fails the state whatever its retriers say.
  if (!retriers || (error as { isRetryable?: boolean } | undefined)?.isRetryable === false) return undefined;
  const name = error instanceof Error ? error.name : "Error";
  for (let i = 0; i < retriers.length; i++) {
    const r = retriers[i];
    const matches = r.ErrorEquals.some(
      (e) => e === name || e === "States.ALL" || (e === "States.TaskFailed" && name !== "States.Timeout"),
    );
    if (!matches) continue;
    const done = counts[i] ?? 0;
    if (done >= (r.MaxAttempts ?? DEFAULTS.MaxAttempts)) return undefined;
    counts[i] = done + 1;
    if (fast) return 0;
    const seconds =
      (r.IntervalSeconds ?? DEFAULTS.IntervalSeconds) * (r.BackoffRate ?? DEFAULTS.BackoffRate) ** done;
    return Math.min(seconds, r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1000;
  }
  return undefined;
}
