import type { RunResult } from "../client/types.ts";
import type { AnyFlow, FlowParams } from "../define/flow.ts";
import type { Task, TaskFn } from "../define/task.ts";
import { type RunLocalOptions, runLocal } from "../local/index.ts";
import { memoryHistory, memoryResults, memorySecrets } from "./private/memory-stores.ts";
import { checkOverrides } from "./private/overrides.ts";
import { type TestRun, testRun } from "./test-run.ts";

/** A replacement of one task's function for a test run; build it with `override(task, fn)`. */
export interface TaskOverride {
  /** The task name. */
  readonly task: string;
  readonly fn: TaskFn;
}

/** What an override returns: what the task returns; a sync task's override may also be async. */
export type OverrideResult<R> = [R] extends [PromiseLike<unknown>] ? R : R | Promise<R>;

/**
 * Replaces `task`'s function in a test run; the replacement takes the task's arguments and
 * returns what it returns (or a promise of it).
 * @example override(getData, async (coin) => [[0, coin === "BTC" ? 60_000 : 0.1]])
 */
export function override<A extends unknown[], R>(
  task: Task<A, R>,
  fn: (...args: A) => OverrideResult<R>,
): TaskOverride {
  return { task: task.taskName, fn };
}

/** Options of `runFlow`: those of `runLocal`, with test defaults, plus task overrides. */
export interface RunFlowOptions extends Omit<RunLocalOptions, "fastRetries"> {
  /**
   * Task functions to replace for this run: `override(task, fn)` entries, or functions by task
   * name. Every call of the task is replaced, in subflows too. @default none
   */
  readonly overrides?: readonly TaskOverride[] | Readonly<Record<string, TaskFn>>;
  /** Retry at once instead of waiting each retry delay. @default true */
  readonly fastRetries?: boolean;
}

/**
 * Runs a flow on this machine for a test: the real compiled state machine and task handler, as
 * `runLocal` runs them, with fresh in-memory stores (nothing read from or written to
 * `.stepflow/`, secrets only from `secrets`), immediate retries and the given task overrides.
 * Tasks that call AWS SDK clients can be mocked with aws-sdk-client-mock: the run is in-process.
 * @throws ParamsError naming every bad parameter; UsageError for an override of a task the flow never calls.
 * @example
 * const run = await runFlow(toTheMoon, { coin: "BTC" }, { overrides: [override(getData, async () => prices)] });
 * expect(run.order()).toStrictEqual(["get-data", "detect-dip", "post-to-slack"]);
 */
export async function runFlow<F extends AnyFlow>(
  flow: F,
  params?: FlowParams<F>,
  options: RunFlowOptions = {},
): Promise<TestRun<RunResult<F>>> {
  const { overrides, ...rest } = options;
  const fns = new Map<string, TaskFn>(
    Array.isArray(overrides)
      ? overrides.map((o: TaskOverride) => [o.task, o.fn] as const)
      : Object.entries(overrides ?? {}),
  );
  checkOverrides(flow, fns);
  const run = await runLocal(flow, params, {
    ...rest,
    fastRetries: rest.fastRetries ?? true,
    taskOverrides: { ...rest.taskOverrides, ...Object.fromEntries(fns) },
    stores: {
      results: rest.stores?.results ?? memoryResults(),
      history: rest.stores?.history ?? memoryHistory(),
      secrets: rest.stores?.secrets ?? memorySecrets(rest.secrets ?? {}),
    },
  });
  return testRun(run as Parameters<typeof testRun<RunResult<F>>>[0]);
}
