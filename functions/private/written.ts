/**
 * The promise a history write resolves with when nothing is left to wait for when the call returns
 * (the local store has queued the line: it is written at the end of the event-loop turn, see
 * buffered-appends.ts, and a failed write surfaces on the next append). Whoever sees this very
 * promise skips chaining to it and awaiting it: a local run puts two records per task attempt, and
 * each `then` and `await` on them cost a promise and a turn of the microtask queue.
 */
export const WRITTEN: Promise<void> = Promise.resolve();
