import { AsyncLocalStorage } from "node:async_hooks";
import { UsageError } from "./errors.ts";

/** What a running task knows about its run (Prefect's run context). */
export interface TaskContext {
  readonly flow: string;
  /** The run id: the Step Functions execution name. */
  readonly runId: string;
  /** The task name. */
  readonly task: string;
  /** The state name (the task name, suffixed when the flow calls the task twice). */
  readonly state: string;
  /** The item index inside a `.map`, else undefined. */
  readonly mapIndex: number | undefined;
  /** 0 for the first attempt, 1 for the first retry, ... */
  readonly attempt: number;
}

/** @internal Where the `console.*` lines of a running task function go (the runtime's run log). */
export type TaskConsole = (level: "debug" | "info" | "warn" | "error", message: string) => void;

interface TaskScope {
  readonly context: TaskContext;
  readonly console: TaskConsole | undefined;
}

// One storage for the context and the console: while any storage is enabled, Node 20 runs a
// hook on every promise created, in the engine too, and each storage adds its own propagation.
const storage = new AsyncLocalStorage<TaskScope>();
/** Task functions running under the storage now (their promises not yet settled). */
let running = 0;
/**
 * The scope of the task function whose synchronous call is on the stack now, when it runs without
 * the storage: switching the storage on and off around every call of a function that returns at
 * once cost more than the engine's own work for a trivial Task state (Node 20's promise hooks).
 */
let syncScope: TaskScope | undefined;

/**
 * Plain (not `async`) functions that returned without a promise: their calls run without the
 * storage, their scope seen only while they run, which is all the storage would give them (it
 * ends when the call returns). One that returns a promise leaves this set for good.
 */
const returnsAtOnce = new WeakSet<(...args: never[]) => unknown>();
const AsyncFunction = (async () => {}).constructor;

function settled(): void {
  // Nothing runs in a task: the storage's promise hooks cost the engine's own promises nothing until the next task.
  if (--running === 0) storage.disable();
}

function currentScope(): TaskScope | undefined {
  return syncScope ?? storage.getStore();
}

/**
 * The context of the task running now: flow, run id, state, map index and attempt.
 * @example const { runId, mapIndex } = taskContext(); // e.g. to name an output file
 * @throws UsageError outside a running task (e.g. when calling `task.fn` in a unit test).
 */
export function taskContext(): TaskContext {
  const scope = currentScope();
  if (!scope) {
    throw new UsageError(
      "`taskContext()` was called outside a running task; it is only available while stepflow runs a task (locally or in Lambda)",
    );
  }
  return scope.context;
}

/** @internal Where the running task's `console.*` lines go, if a task is running here. */
export function currentTaskConsole(): TaskConsole | undefined {
  return currentScope()?.console;
}

/**
 * @internal The runtime runs each task function inside its context, until the promise it returns
 * settles (work a task leaves running after that sees no context, as a frozen Lambda would not run it).
 * `target` is the task's own function that `fn` calls: a plain function that has returned without a
 * promise before runs without the storage (see `returnsAtOnce`); an `async` one always runs under it.
 */
export function runInTaskContext<T>(
  context: TaskContext,
  fn: () => T,
  console?: TaskConsole,
  target?: (...args: never[]) => unknown,
): T {
  if (target !== undefined && returnsAtOnce.has(target)) return runAtOnce({ context, console }, fn, target);
  running++;
  let result: T;
  try {
    result = storage.run({ context, console }, fn);
  } catch (error) {
    settled();
    throw error;
  }
  const then = (result as { then?: unknown } | null)?.then;
  if (typeof then === "function") Promise.resolve(result).then(settled, settled);
  else {
    settled();
    if (target !== undefined && !(target instanceof AsyncFunction)) returnsAtOnce.add(target);
  }
  return result;
}

/** Calls `fn` with `scope` seen only during the call; a promise it returns puts `target` back under the storage. */
function runAtOnce<T>(scope: TaskScope, fn: () => T, target: (...args: never[]) => unknown): T {
  const outer = syncScope;
  syncScope = scope;
  let result: T;
  try {
    result = fn();
  } finally {
    syncScope = outer;
  }
  // Its callbacks ran without the context this once (as a task function in a test would); its next calls have it.
  if (typeof (result as { then?: unknown } | null)?.then === "function") returnsAtOnce.delete(target);
  return result;
}
