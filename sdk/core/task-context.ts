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

const storage = new AsyncLocalStorage<TaskContext>();

/**
 * The context of the task running now: flow, run id, state, map index and attempt.
 * @example const { runId, mapIndex } = taskContext(); // e.g. to name an output file
 * @throws UsageError outside a running task (e.g. when calling `task.fn` in a unit test).
 */
export function taskContext(): TaskContext {
  const context = storage.getStore();
  if (!context) {
    throw new UsageError(
      "`taskContext()` was called outside a running task; it is only available while stepflow runs a task (locally or in Lambda)",
    );
  }
  return context;
}

/** @internal the runtime runs each task function inside its context. */
export function runInTaskContext<T>(context: TaskContext, fn: () => T): T {
  return storage.run(context, fn);
}
