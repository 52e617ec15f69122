import type { AnyTask } from "../define/task.ts";
import type { LocalRun, TaskRun } from "../local/index.ts";

/** A task by its object or its name (a state name works too, for a task called twice). */
export type TaskSelector = AnyTask | string;

/**
 * A finished test run: what `runLocal` returns, plus questions about its task runs for
 * assertions. Tasks of subflow runs are included.
 * @example
 * expect(run.status).toBe("SUCCEEDED");
 * expect(run.order()).toStrictEqual(["get-data", "detect-dip"]);
 * expect(run.attempts(getData)).toBe(3);
 * expect(run.ran("post-to-slack")).toBe(false);
 */
export interface TestRun<R = unknown> extends LocalRun<R> {
  /** Whether any attempt of the task ran. */
  ran(task: TaskSelector): boolean;
  /** State names in the order their first attempt started, each once (a mapped task once for all items). */
  order(): string[];
  /**
   * How many attempts of the task ran: all of them, over every call and map item, or only
   * those of map item `index`.
   */
  attempts(task: TaskSelector, index?: number): number;
  /** The task's attempts (every call and map item), in the order they started. */
  calls(task: TaskSelector): TaskRun[];
}

/** Adds the assertion helpers to a local run. */
export function testRun<R>(run: LocalRun<R>): TestRun<R> {
  const matches = (t: TaskRun, selector: TaskSelector) => {
    const name = typeof selector === "string" ? selector : selector.taskName;
    return t.task === name || t.state === name;
  };
  const calls = (selector: TaskSelector) => run.tasks.filter((t) => matches(t, selector));
  return {
    ...run,
    ran: (selector) => calls(selector).length > 0,
    order: () => [...new Set(run.tasks.map((t) => t.state))],
    attempts: (selector, index) =>
      calls(selector).filter((t) => index === undefined || t.mapIndex === index).length,
    calls,
  };
}
