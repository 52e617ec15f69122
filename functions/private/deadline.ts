/**
 * The time an invocation has left, for the store calls made inside it. A Lambda entry runs its
 * core under `withDeadline`; `storeCall` reads `currentDeadline()` and never starts a retry, nor
 * waits on a request, past it, so a store's retry budget shrinks with the invocation's remaining
 * time instead of outliving the Lambda (which would end the invocation with a bare
 * `Sandbox.Timedout` and no word of the store that was failing).
 */
import { AsyncLocalStorage } from "node:async_hooks";

const deadlines = new AsyncLocalStorage<number>();

/**
 * Time kept back from a Lambda's remaining time: enough to log the store's error and return it
 * before Lambda stops the invocation.
 */
export const DEADLINE_MARGIN_MS = 1000;

/** Runs `fn` with every store call it makes ending by `deadline` (epoch ms); none when `undefined`. */
export function withDeadline<T>(deadline: number | undefined, fn: () => Promise<T>): Promise<T> {
  return deadline === undefined ? fn() : deadlines.run(deadline, fn);
}

/** The deadline of the invocation in progress (epoch ms), if it has one. */
export function currentDeadline(): number | undefined {
  return deadlines.getStore();
}

/** The part of a Lambda context read here. */
interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/**
 * The deadline of a Lambda invocation: its remaining time less `DEADLINE_MARGIN_MS`, or
 * `undefined` without a Lambda context (a direct call, a test).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 */
export function lambdaDeadline(context: unknown, now = Date.now()): number | undefined {
  const remaining = (context as Partial<RemainingTime> | undefined)?.getRemainingTimeInMillis;
  if (typeof remaining !== "function") return undefined;
  const ms = remaining.call(context);
  return Number.isFinite(ms) ? now + ms - DEADLINE_MARGIN_MS : undefined;
}
