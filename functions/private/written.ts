/**
 * The promise a history write resolves with when it was done before the call returned (the local
 * store appends synchronously). Whoever sees this very promise skips chaining to it and awaiting
 * it: a local run puts two records per task attempt, and each `then` and `await` on them cost a
 * promise and a turn of the microtask queue.
 */
export const WRITTEN: Promise<void> = Promise.resolve();
