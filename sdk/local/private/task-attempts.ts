/**
 * The local retry driver: runs every attempt of one Lambda Task state call and is the one place
 * that counts them. aws-local-stepfunctions keeps `$$.State.RetryCount` at 0, so the local
 * definition gives its Lambda Task states no `Retry` (prepare.ts) and the engine never retries
 * them; this driver applies the retry policy the compiler emitted (retry.ts) and hands each
 * attempt its number, which is what `$$.State.RetryCount` is on AWS. It also limits each attempt
 * to the state's `TimeoutSeconds`, as the engine did per attempt.
 */
import { StatesTimeoutError } from "../../../functions/invoke.ts";
import { settleWithin } from "../../../functions/private/timeout.ts";
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
  readonly retrying?: (request: TaskRequest, attempt: number, delayMs: number) => void;
  /**
   * An attempt of `request` succeeded with `result`, which the call resolves with: told here, so the
   * caller needs no async function of its own around the call (one per Task state call).
   */
  readonly succeeded?: (request: TaskRequest, result: unknown) => void;
}

/**
 * Runs `call` for attempt 0, 1, ... of `request` (its `attempt` set to each) until one succeeds or
 * the policy fails the state; resolves with the successful attempt's result, rejects with the last
 * attempt's error.
 */
export async function runAttempts<T>(
  plan: AttemptPlan,
  request: TaskRequest,
  call: (request: TaskRequest) => Promise<T>,
  options: AttemptOptions,
): Promise<T> {
  const { gate } = options;
  // Made at the first failure: most calls succeed at once.
  let budget: RetryBudget | undefined;
  for (let attempt = 0; ; attempt++) {
    // Throws when the attempt may not start (too large an event, a closed run): no task failed, so no retry.
    gate?.admit(plan.state, request);
    gate?.taskStarted(plan.state, attempt, request.index);
    let error: unknown;
    try {
      // The shared deadline timer of the task timeout (one timer per attempt cost more than a trivial state).
      // The engine's request already says attempt 0 (`$$.State.RetryCount` stays 0 here): no copy for it.
      const running = call(request.attempt === attempt ? request : { ...request, attempt });
      const result = await settleWithin(running, plan.timeoutSeconds, () => timedOut(plan, attempt));
      gate?.taskEnded(plan.state, true, request.index);
      options.succeeded?.(request, result);
      return result;
    } catch (thrown) {
      error = thrown;
    }
    // Not a failure: the list was stored and the state's Catch runs the Distributed Map.
    const stored = (error as Error | undefined)?.name === LIST_STORED_ERROR;
    gate?.taskEnded(plan.state, stored, request.index);
    const delayMs = stored ? undefined : (budget ??= new RetryBudget(plan.retry)).next(error, options.fastRetries);
    if (delayMs === undefined) {
      if (!stored) gate?.close(error as Error);
      throw error;
    }
    options.retrying?.(request, attempt, delayMs);
    // A retry still waiting when the run ends does not start: the attempt's error stands.
    if (delayMs > 0 || options.ended?.aborted) await sleep(delayMs, options.ended).catch(() => Promise.reject(error));
  }
}

function timedOut(plan: AttemptPlan, attempt: number): Error {
  return new StatesTimeoutError(
    `attempt ${attempt} of task state \`${plan.state}\` did not end within the state's \`TimeoutSeconds\` of ${plan.timeoutSeconds} seconds (the task's \`timeout\`, the handler's grace and the invoke margin); Step Functions fails such an attempt with \`States.Timeout\`: make the task faster or raise its \`timeout\``,
  );
}
