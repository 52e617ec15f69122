/**
 * Runs `fn`, rejecting with `onTimeout()` if it has not settled after `seconds`. The function
 * cannot be stopped, but its late result is ignored; on Lambda the container freezes anyway.
 * A function that returns without a promise needs no timer (none could fire while it ran): the
 * caller checks how long it took.
 */
export function withTimeout<T>(fn: () => T | Promise<T>, seconds: number, onTimeout: () => Error): Promise<T> {
  let result: T | Promise<T>;
  try {
    result = fn();
  } catch (error) {
    return Promise.reject(error as Error);
  }
  if (!isThenable(result)) return Promise.resolve(result);
  return settleWithin(result, seconds, onTimeout);
}

/**
 * `running`, rejected with `onTimeout()` if it has not settled after `seconds`.
 *
 * Every call shares one timer, armed for the earliest deadline: a local run makes an attempt per
 * Task state, and a timer made and cleared per attempt cost more than the engine's own work for
 * a trivial state. The timer keeps the process alive only while a call waits.
 */
export function settleWithin<T>(running: PromiseLike<T>, seconds: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const call: Waiting = { at: performance.now() + seconds * 1000, reject, onTimeout };
    watch(call);
    running.then(
      (value) => {
        waiting.delete(call);
        idle();
        resolve(value);
      },
      (error: unknown) => {
        waiting.delete(call);
        idle();
        reject(error);
      },
    );
  });
}

export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

interface Waiting {
  /** The deadline, in `performance.now()` milliseconds. */
  readonly at: number;
  // Not a closure: a named one costs a `__name` call per attempt under tsx.
  readonly reject: (error: Error) => void;
  readonly onTimeout: () => Error;
}

const waiting = new Set<Waiting>();
let timer: NodeJS.Timeout | undefined;
/** When the timer fires. */
let armedAt = Number.POSITIVE_INFINITY;
/** A timer this late has been lost (e.g. made under a test's fake timers): it is made again. */
const LOST_MS = 1000;

function watch(call: Waiting): void {
  waiting.add(call);
  const now = performance.now();
  if (timer === undefined || call.at < armedAt || now > armedAt + LOST_MS) arm(call.at, now);
  else if (waiting.size === 1) timer.ref();
}

function arm(at: number, now: number): void {
  clearTimeout(timer);
  armedAt = at;
  // Node's timers take at most 2^31-1 ms; a later deadline is checked again when this one fires.
  timer = setTimeout(fire, Math.min(Math.max(0, at - now), 2 ** 31 - 1));
}

function fire(): void {
  timer = undefined;
  armedAt = Number.POSITIVE_INFINITY;
  const now = performance.now();
  let next = Number.POSITIVE_INFINITY;
  for (const call of waiting) {
    if (call.at <= now) {
      waiting.delete(call);
      call.reject(call.onTimeout());
    } else next = Math.min(next, call.at);
  }
  if (next !== Number.POSITIVE_INFINITY) arm(next, now);
}

/** Nothing waits: the timer stays armed for the next call, without keeping the process alive. */
function idle(): void {
  if (waiting.size === 0) timer?.unref();
}
