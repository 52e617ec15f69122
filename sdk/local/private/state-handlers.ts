/**
 * The `taskResourceLocalHandlers` of one local run: every Lambda Task state bound by name to the
 * real task handler through the retry driver (task-attempts.ts), and every subflow state to a
 * nested run.
 */
import type { TaskHandlerNow } from "../../../functions/task-handler.ts";
import type { GraphFlow } from "../../graph/types.ts";
import type { TaskRequest } from "../../core/protocol.ts";
import type { LocalRun, RunError, RunEvent } from "../types.ts";
import type { PreparedFlow } from "./prepare.ts";
import type { ReuseScope } from "./reuse.ts";
import type { Json } from "../../core/json.ts";
import { stateMachineName } from "../../core/deploy-names.ts";
import { type AttemptOptions, runAttempts } from "./task-attempts.ts";
import type { TaskGate } from "./task-gate.ts";

/** Answers at once or with a promise: the engine awaits either (a quick task's state costs no promise here). */
export type StateHandler = (input: unknown) => Promise<never> | never;

/** The run a subflow state belongs to. */
export interface ParentRun {
  readonly runId: string;
  readonly executionArn: string;
  /** Results of a retried run to reuse in this run. */
  readonly reuse?: ReuseScope;
}

/** The subflow state `state` of `parent`, as the parent of the child run it starts. */
export interface SubflowParent extends ParentRun {
  /** The path of subflow states to the child run, for reuse (`a/b/`). */
  readonly scope: string;
}

/** A subflow's failure as the parent's state sees it (`startExecution.sync` fails with `States.TaskFailed`). */
export class SubflowFailed extends Error {
  override name = "States.TaskFailed";
  constructor(
    message: string,
    readonly child: RunError | undefined,
  ) {
    super(message);
  }
}

/**
 * Handlers of `p`'s Lambda Task states in run `runId`, added to `into`: each call's attempts run
 * through the retry driver. Made per run, so one closure per state and nothing else: the options
 * of the attempts are shared by every state with the same gate (a 500-task chain made three
 * objects per state per run, and copied the table once more).
 */
export function taskStateHandlers(
  p: PreparedFlow,
  runId: string,
  handle: TaskHandlerNow,
  options: {
    readonly fastRetries: boolean;
    readonly emit?: (event: RunEvent) => void;
    /** The gate of each task state (a Distributed Map's iteration states have their own). */
    readonly gate?: (state: string) => TaskGate;
    /** Results of a retried run to reuse, and where this run's results are noted. */
    readonly reuse?: ReuseScope;
    /** Aborted when the run has ended. */
    readonly ended?: AbortSignal;
  },
  into: Record<string, StateHandler> = {},
): Record<string, StateHandler> {
  const { emit, reuse } = options;
  const retrying: AttemptOptions["retrying"] =
    emit &&
    ((state, request, attempt, delayMs) => {
      const { flow, task, index } = request;
      emit({ type: "task-retrying", flow, runId, state, task, mapIndex: index, attempt, delayMs });
    });
  // Noted by the retry driver itself: no async function per call around it.
  const succeeded: AttemptOptions["succeeded"] = reuse && ((state, request, envelope) => reuse.note(state, request.index, envelope as Json));
  const byGate = new Map<TaskGate | undefined, AttemptOptions>();
  for (const [state, plan] of p.tasks) {
    const gate = options.gate?.(state);
    let attempts = byGate.get(gate);
    if (!attempts) byGate.set(gate, (attempts = { fastRetries: options.fastRetries, gate, ended: options.ended, retrying, succeeded }));
    const shared = attempts;
    into[state] = (input) => {
      const request = input as TaskRequest;
      // A retry takes what this call returned in the run it retries: the task does not run again.
      const prior = reuse?.take(state, request.index);
      if (prior !== undefined) return prior as never;
      return runAttempts(plan, request, handle, shared) as never;
    };
  }
  return into;
}

/** Handlers of `p`'s subflow states: each runs the child flow through `runChild` as a nested run. */
export function subflowStateHandlers(
  p: PreparedFlow,
  parent: ParentRun,
  runChild: (child: GraphFlow, input: Json, parent: SubflowParent) => Promise<LocalRun>,
  gate?: TaskGate,
): Record<string, StateHandler> {
  const handlers: Record<string, StateHandler> = {};
  for (const [state, child] of p.subflows) {
    handlers[state] = async (input) => {
      const prior = parent.reuse?.take(state, undefined);
      if (prior !== undefined) return prior as never;
      gate?.admit(state, input);
      // Always a first attempt: a subflow state's retriers name Step Functions service errors,
      // which no local run throws (a failed child is `States.TaskFailed`).
      gate?.taskStarted(state, 0, undefined);
      const ended = await runSubflow(input);
      gate?.taskEnded(state, ended.ok);
      if (!ended.ok) throw ended.error;
      parent.reuse?.note(state, undefined, ended.output as Json);
      return ended.output as never;
    };
    const runSubflow = async (input: unknown) => {
      const { AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: _, ...params } = (
        input as { Input: Record<string, Json> }
      ).Input;
      const scope = `${parent.reuse?.prefix ?? ""}${state}/`;
      const run = await runChild(child, child.parse(params) as Json, { ...parent, scope });
      if (run.status === "SUCCEEDED") {
        const account = parent.executionArn.split(":execution:")[0];
        const output = { ExecutionArn: `${account}:execution:${stateMachineName(child.flowName)}:${run.runId}`, Output: run.output ?? null };
        return { ok: true as const, output };
      }
      const why = run.error ? `${run.error.name}: ${run.error.message}` : run.status;
      const error = new SubflowFailed(
        `subflow \`${child.flowName}\` run \`${run.runId}\` ended ${run.status}: ${why}`,
        run.error,
      );
      return { ok: false as const, error };
    };
  }
  return handlers;
}
