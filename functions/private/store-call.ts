/**
 * Every AWS call the stores make goes through `storeCall`: a time limit per request, bounded
 * retries of what may pass on a second try (no answer, 5xx, throttling) with full-jitter
 * exponential backoff, a total budget, and an error that names the store and the operation.
 * The SDK's own retries are turned off for the clients the stores build (`STORE_CLIENT_CONFIG`),
 * so a burst of 5xx cannot drain the SDK's retry quota and leave later calls with none.
 */
import { StoreError } from "../errors.ts";
import { currentDeadline } from "./deadline.ts";
import type { StoreCallPolicy } from "../stores/types.ts";

/** The SDK client settings of a store's own clients: one SDK attempt per `storeCall` attempt. */
export const STORE_CLIENT_CONFIG = { maxAttempts: 1 } as const;

/** What a call is, for its error: `DynamoDB`, `PutItem`, "table `h`". */
export interface StoreCallName {
  readonly store: string;
  readonly operation: string;
  readonly target: string;
}

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "SlowDown",
  "RequestTimeout",
  "RequestTimeoutException",
]);

/** Errors of a request that got no answer: time limits, resets, hang-ups, refused or lost connections. */
const NO_ANSWER = new Set(["TimeoutError", "RequestTimeout", "AbortError", "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ECONNABORTED"]);

/** Whether a failed request may succeed when sent again. */
export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  if (THROTTLING.has(e?.name ?? "")) return true;
  if (status !== undefined && status > 0) return status >= 500 || status === 429;
  return NO_ANSWER.has(e?.name ?? "") || NO_ANSWER.has(e?.code ?? "") || /socket hang up/i.test(e?.message ?? "");
}

/**
 * Runs `send` (given an abort signal that fires at the request's time limit) until it succeeds,
 * fails with an error that retrying cannot fix (rethrown as it is, for the store to interpret),
 * or runs out of attempts or budget (`StoreError` naming the call, the attempts and the last error).
 */
export async function storeCall<T>(
  name: StoreCallName,
  policy: StoreCallPolicy,
  send: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const attempts = policy.attempts ?? 6;
  const first = Date.now();
  // The invocation's deadline (a Lambda's remaining time) caps the budget and every request.
  const deadline = currentDeadline() ?? Infinity;
  const end = Math.min(first + (policy.budgetMs ?? 12_000), deadline);
  for (let attempt = 1; ; attempt++) {
    const timeoutMs = Math.max(1, Math.min(policy.timeoutMs ?? 3000, end - Date.now()));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new RequestTimeout(timeoutMs)), timeoutMs);
    try {
      return await send(controller.signal);
    } catch (thrown) {
      const error = controller.signal.aborted ? controller.signal.reason : thrown;
      if (!isRetryable(error)) throw error;
      const delay = backoff(attempt, policy);
      // A retry is worth starting only with time left for its request after the backoff.
      if (attempt >= attempts || Date.now() + delay + MIN_REQUEST_MS > end) throw failed(name, attempt, first, error, end === deadline);
      await new Promise((resolve) => setTimeout(resolve, delay));
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The shortest time worth giving a request (a DynamoDB write answers in ~10 ms when healthy). */
const MIN_REQUEST_MS = 50;

function backoff(attempt: number, policy: StoreCallPolicy): number {
  const cap = Math.min(policy.maxDelayMs ?? 2000, (policy.baseDelayMs ?? 100) * 2 ** (attempt - 1));
  return Math.floor(Math.random() * cap);
}

/** A request that got no answer within its time limit. */
class RequestTimeout extends Error {
  override name = "RequestTimeout";
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function failed(name: StoreCallName, attempts: number, first: number, error: unknown, atDeadline: boolean): StoreError {
  const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // Said so that a short budget is not mistaken for a policy: the invocation had no more time.
  const cut = atDeadline ? ", stopped by the invocation's remaining time," : "";
  return new StoreError(
    `${name.store} \`${name.operation}\` on ${name.target} failed ${attempts} time${attempts === 1 ? "" : "s"} over ${Date.now() - first} ms${cut} (last: ${why}); the service was unreachable or erroring, so check its health and this function's network path, then retry`,
    { cause: error },
  );
}
