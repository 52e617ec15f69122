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
  /**
   * False once the task function's promise has settled: work it left running still carries the
   * scope (Node propagates it to every promise and timer made under it, and the storage is on
   * again whenever another task runs), but sees no context.
   */
  live: boolean;
}

// One storage for the context and the console: while any storage is enabled, Node 20 runs a
// hook on every promise created, in the engine too, and each storage adds its own propagation.
const storage = new AsyncLocalStorage<TaskScope>();
/** Task functions running now (their promises not yet settled). */
let running = 0;

/**
 * How a task function's calls are run, learned from its first call: `SYNC` once it returned a
 * plain value (its calls need no storage: a function that returns at once has ended before any
 * callback it left can run, so the storage would only carry a dead scope), `ASYNC` once it
 * returned a promise or is an `async` function.
 */
const SYNC = 1;
const ASYNC = 2;
const modes = new WeakMap<object, typeof SYNC | typeof ASYNC>();
const AsyncFunction = (async () => {}).constructor;
/** The scope of the task function being called right now on the fast path (no storage). */
let current: TaskScope | undefined;
/**
 * Calls on the fast path that returned a promise after all (a plain function that returned at
 * once before), until it settles: their callbacks run outside the storage. `taskContext()` called
 * there finds the scope here when it is the only one; with two pending, it cannot tell which is
 * its own and says so, naming the fix (declare the functions `async`). Their callbacks' `console`
 * lines print as they are rather than guessing a task. The function's later calls run in the
 * storage, so each function adds at most one such call. (While one is pending, code outside any
 * task that calls `taskContext()`, which would throw, gets that call's context.)
 */
const orphans = new Set<TaskScope>();

/** The scope of the task running here now, if any. */
function liveScope(): TaskScope | undefined {
  if (current) return current;
  const scope = storage.getStore();
  return scope?.live ? scope : undefined;
}

function ended(scope: TaskScope): void {
  scope.live = false;
  // Nothing runs in a task: the storage is switched off at once, so its promise hooks cost the
  // engine's own promises nothing until the next task. Not one turn later: a Map starts its next
  // items within the same turn, so the storage stayed on for the whole Map and every promise the
  // engine made paid the hooks (bench/local-alloc.ts mapchain: 7.6 MB per run in promiseInitHook
  // alone); switching on and off per call costs a chain about what it saves (measured A/B).
  if (--running === 0) storage.disable();
}

/**
 * The context of the task running now: flow, run id, state, map index and attempt.
 * @example const { runId, mapIndex } = taskContext(); // e.g. to name an output file
 * @throws UsageError outside a running task (e.g. when calling `task.fn` in a unit test).
 */
export function taskContext(): TaskContext {
  const scope = liveScope() ?? soleOrphan();
  if (!scope) {
    throw new UsageError(
      "`taskContext()` was called outside a running task; it is only available while stepflow runs a task (locally or in Lambda)",
    );
  }
  return scope.context;
}

/** The one pending orphan call (see `orphans`); throws when several are pending. */
function soleOrphan(): TaskScope | undefined {
  if (orphans.size === 0) return undefined;
  if (orphans.size === 1) return orphans.values().next().value;
  const tasks = [...new Set([...orphans].map((o) => `\`${o.context.task}\``))].join(", ");
  throw new UsageError(
    `\`taskContext()\` cannot tell which task it runs in: ${tasks}, plain functions that returned a value at once on earlier calls, returned promises this time, and stepflow follows such a function's promise only from then on; declare these task functions \`async\` (or make them return a promise on every call)`,
  );
}

/** @internal Where the running task's `console.*` lines go, if a task is running here. */
export function currentTaskConsole(): TaskConsole | undefined {
  return liveScope()?.console;
}

/**
 * @internal The runtime runs each task function inside its context, until the promise it returns
 * settles (work a task leaves running after that sees no context, as a frozen Lambda would not run it).
 * `taskFn`, the task's function, is what the runtime learns from: once it returned at once, its
 * calls set the context only while they run, without the storage (`runAtOnce`).
 */
export function runInTaskContext<T>(context: TaskContext, fn: () => T, console?: TaskConsole, taskFn?: object): T {
  const mode = taskFn === undefined ? ASYNC : modes.get(taskFn);
  if (mode === SYNC) return runAtOnce(context, fn, console, taskFn as object);
  running++;
  const scope: TaskScope = { context, console, live: true };
  let result: T;
  try {
    result = storage.run(scope, fn);
  } catch (error) {
    ended(scope);
    throw error;
  }
  const then = (result as { then?: unknown } | null)?.then;
  if (typeof then === "function") {
    const end = () => ended(scope);
    Promise.resolve(result).then(end, end);
  } else ended(scope);
  if (mode === undefined) modes.set(taskFn as object, typeof then === "function" || taskFn instanceof AsyncFunction ? ASYNC : SYNC);
  return result;
}

/**
 * A call of a function that returned at once so far: its scope is set only while it runs, with
 * no storage, whose switching on and off per call cost a chain of trivial tasks a tenth of the
 * engine's own time. Should it return a promise this time, its callbacks find the scope among
 * the orphans, and its later calls run in the storage.
 */
function runAtOnce<T>(context: TaskContext, fn: () => T, console: TaskConsole | undefined, taskFn: object): T {
  const scope: TaskScope = { context, console, live: true };
  const outer = current;
  current = scope;
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scope.live = false;
    throw error;
  } finally {
    current = outer;
  }
  const then = (result as { then?: unknown } | null)?.then;
  if (typeof then !== "function") {
    scope.live = false;
    return result;
  }
  modes.set(taskFn, ASYNC);
  orphans.add(scope);
  const end = () => {
    scope.live = false;
    orphans.delete(scope);
  };
  Promise.resolve(result).then(end, end);
  return result;
}
