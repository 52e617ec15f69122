/**
 * The local retry driver: runs every attempt of one Lambda Task state call and is the one place
 * that counts them. aws-local-stepfunctions keeps `$$.State.RetryCount` at 0, so the local
 * definition gives its Lambda Task states no `Retry` (prepare.ts) and the engine never retries
 * them; this driver applies the retry policy the compiler emitted (retry.ts) and hands each
 * attempt its number, which is what `$$.State.RetryCount` is on AWS. It also limits each attempt
 * to the state's `TimeoutSeconds`, as the engine did per attempt.
 */
import { StatesTimeoutError } from "../../../functions/invoke.ts";
import { isThenable, settleWithin } from "../../../functions/private/timeout.ts";
import type { Retrier } from "../../compile/asl.ts";
import { LIST_STORED_ERROR, type TaskRequest } from "../../core/protocol.ts";
import { sleep } from "../../core/sleep.ts";
import { RetryBudget } from "./retry.ts";
import type { TaskGate } from "./task-gate.ts";

/** What the compiler emitted for one Lambda Task state (its compile index entry). */
export interface AttemptPlan {
  readonly state: string;
  readonly retry: readonly Retrier[];
  readonly timeoutSeconds: number;
}

/** How the attempts of one run go. */
export interface AttemptOptions {
  /** Every retry delay zero. */
  readonly fastRetries: boolean;
  /** Admits each attempt and counts its history events; closed once a task failed for good. */
  readonly gate?: TaskGate;
  /** Aborted when the run has ended: a retry still waiting for its delay does not start. */
  readonly ended?: AbortSignal;
  /** A failed attempt of `request` is retried after `delayMs`. */
  readonly retrying?: (state: string, request: TaskRequest, attempt: number, delayMs: number) => void;
  /**
   * An attempt of `request` succeeded with `result`, which the call resolves with: told here, so the
   * caller needs no async function of its own around the call (one per Task state call).
   */
  readonly succeeded?: (state: string, request: TaskRequest, result: unknown) => void;
}

/**
 * Runs `call` for attempt 0, 1, ... of `request` (its `attempt` set to each) until one succeeds or
 * the policy fails the state; answers with the successful attempt's result, or rejects with the
 * last attempt's error. An attempt that `call` answers at once is answered at once (no promise):
 * a chain of quick tasks makes one per state, and each promise layer cost as much as a check.
 * Throws at once when the first attempt may not start (too large an event, a closed run).
 */
export function runAttempts<T>(
  plan: AttemptPlan,
  request: TaskRequest,
  call: (request: TaskRequest) => T | Promise<T>,
  options: AttemptOptions,
): T | Promise<T> {
  const { gate } = options;
  // Throws when the attempt may not start: no task failed, so no retry.
  gate?.admit(plan.state, request);
  gate?.taskStarted(plan.state, 0, request.index);
  let running: T | Promise<T>;
  try {
    // The engine's request already says attempt 0 (`$$.State.RetryCount` stays 0 here): no copy for it.
    running = call(request.attempt === 0 ? request : { ...request, attempt: 0 });
  } catch (error) {
    return retry(plan, request, call, options, 0, error);
  }
  if (isThenable(running)) {
    // The shared deadline timer of the task timeout (one timer per attempt cost more than a trivial state).
    return settleWithin(running, plan.timeoutSeconds, () => timedOut(plan, 0)).then(
      (result) => succeeded(plan, request, options, result),
      (error: unknown) => retry(plan, request, call, options, 0, error),
    );
  }
  // Its end is recorded already: the invoker failed it if its function ran past the task's
  // timeout (the state's, less the handler's grace), which no timer could have stopped.
  return succeeded(plan, request, options, running);
}

function succeeded<T>(plan: AttemptPlan, request: TaskRequest, options: AttemptOptions, result: T): T {
  options.gate?.taskEnded(plan.state, true, request.index);
  options.succeeded?.(plan.state, request, result);
  return result;
}

/** After attempt `failedAttempt` failed with `error`: the retries the policy allows, each under the state's timeout. */
async function retry<T>(
  plan: AttemptPlan,
  request: TaskRequest,
  call: (request: TaskRequest) => T | Promise<T>,
  options: AttemptOptions,
  failedAttempt: number,
  firstError: unknown,
): Promise<T> {
  const { gate } = options;
  const budget = new RetryBudget(plan.retry);
  let error = firstError;
  for (let attempt = failedAttempt; ; ) {
    // Not a failure: the list was stored and the state's Catch runs the Distributed Map.
    const stored = (error as Error | undefined)?.name === LIST_STORED_ERROR;
    gate?.taskEnded(plan.state, stored, request.index);
    const delayMs = stored ? undefined : budget.next(error, options.fastRetries);
    if (delayMs === undefined) {
      if (!stored) gate?.close(error as Error);
      throw error;
    }
    options.retrying?.(plan.state, request, attempt, delayMs);
    // A retry still waiting when the run ends does not start: the attempt's error stands.
    if (delayMs > 0 || options.ended?.aborted) await sleep(delayMs, options.ended).catch(() => Promise.reject(error));
    attempt++;
    gate?.admit(plan.state, request);
    gate?.taskStarted(plan.state, attempt, request.index);
    try {
      const running = call({ ...request, attempt });
      const result = isThenable(running)
        ? await settleWithin(running, plan.timeoutSeconds, () => timedOut(plan, attempt))
        : running;
      return succeeded(plan, request, options, result);
    } catch (thrown) {
      error = thrown;
    }
  }
}

function timedOut(plan: AttemptPlan, attempt: number): Error {
  return new StatesTimeoutError(
    `attempt ${attempt} of task state \`${plan.state}\` did not end within the state's \`TimeoutSeconds\` of ${plan.timeoutSeconds} seconds (the task's \`timeout\`, the handler's grace and the invoke margin); Step Functions fails such an attempt with \`States.Timeout\`: make the task faster or raise its \`timeout\``,
  );
}
