/**
 * One local session: a run and the subflow runs it starts, sharing stores, task handlers and
 * the in-memory task-run book. Every Task state is bound by name to the real task handler
 * (functions/), in-process; subflow states start nested executions with their own run ids (see
 * state-handlers.ts).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from "aws-local-stepfunctions";
import {
  createRecorder,
  createTaskHandler,
  decodeOutput,
  type HistoryStore,
  localHistoryStore,
  localResultStore,
  localSecretStore,
  type Recorder,
  type ResultStore,
  type TaskHandler,
} from "../../../functions/index.ts";
import type { AnyFlow } from "../../define/flow.ts";
import type { AnyTask, TaskFn } from "../../define/task.ts";
import type { Json } from "../../graph/types.ts";
import type { LocalRun, LocalRunStatus, RunError, RunEvent, RunLocalOptions, RunStats } from "../types.ts";
import { type PreparedFlow, prepare } from "./prepare.ts";
import { observe } from "./engine-events.ts";
import { ExecutionClosedError, ExecutionLimits } from "./limits.ts";
import { mapProgress } from "./progress.ts";
import { runIdFor } from "./run-id.ts";
import { localSecrets } from "./secrets.ts";
import { type LogLine, sinkLogger } from "./sink-logger.ts";
import { type ParentRun, SubflowFailed, subflowStateHandlers, taskStateHandlers } from "./state-handlers.ts";
import { TaskRunBook } from "./task-runs.ts";

type Outcome = { status: LocalRunStatus; output?: Json; error?: RunError; stats?: RunStats };

/** The handler's own lines; the session reports them as task events, not as log lines. */
const HANDLER_LINES = new Set(["task started", "task succeeded", "task failed"]);
const LEVELS = { debug: "DEBUG", info: "INFO", warn: "WARN", error: "ERROR" } as const;

export class LocalSession {
  private readonly results: ResultStore;
  private readonly history: HistoryStore;
  private readonly book: TaskRunBook;
  private readonly recordRun: Recorder;
  private readonly handlers = new Map<AnyFlow, TaskHandler>();
  private readonly emit: ((event: RunEvent) => void) | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: RunLocalOptions) {
    const dir = { dir: options.dir };
    this.emit = options.onEvent;
    this.results = options.stores?.results ?? localResultStore(dir);
    this.history = options.stores?.history ?? localHistoryStore(dir);
    this.book = new TaskRunBook(this.history, this.emit);
    this.recordRun = createRecorder({ history: this.history, logger: new Logger({ logLevel: "SILENT" }) });
    // Without a listener, only warnings are built at all: info lines cost time per task.
    this.logger = sinkLogger(this.emit ? LEVELS[options.logLevel ?? "info"] : "SILENT", (line) =>
      this.onLog(line),
    );
  }

  /** Runs `flow` with validated `input`; a subflow run passes its `parent`. */
  async run(flow: AnyFlow, input: Json, parent?: ParentRun): Promise<LocalRun> {
    const prepared = prepare(flow);
    const runId = parent || !this.options.runId ? runIdFor(flow.flowName) : this.options.runId;
    const executionArn = `${prepared.stateMachineArn.replace(":stateMachine:", ":execution:")}:${runId}`;
    const started = Date.now();
    const status = (s: string, extra: Record<string, unknown> = {}) =>
      this.recordRun({
        detail: {
          executionArn,
          stateMachineArn: prepared.stateMachineArn,
          name: runId,
          status: s,
          startDate: started,
          input: JSON.stringify(input),
          ...extra,
        },
      });
    this.emit?.({ type: "run-started", flow: flow.flowName, runId, parentRunId: parent?.runId, params: input });
    await status("RUNNING");
    const executed = await this.execute(prepared, input, { runId, executionArn });
    const { stats } = executed;
    let outcome: Outcome = executed;
    let result: unknown;
    if (outcome.status === "SUCCEEDED" && !parent) {
      try {
        result = await decode(prepared, outcome.output ?? null, () => this.results);
      } catch (error) {
        outcome = { status: "FAILED", output: outcome.output, error: errorOf(error) };
      }
    }
    const ended = Date.now();
    await this.book.flush(runId);
    await status(outcome.status, {
      stopDate: ended,
      output: outcome.output === undefined ? undefined : JSON.stringify(outcome.output),
      error: outcome.error?.name,
      cause: outcome.error?.message,
    });
    const durationMs = ended - started;
    const { flowName } = flow;
    this.emit?.({ type: "run-finished", flow: flowName, runId, parentRunId: parent?.runId, durationMs, ...outcome });
    return {
      runId,
      flow: flowName,
      status: outcome.status,
      result,
      ...(outcome.error ? { error: outcome.error } : {}),
      // A subflow run reports its own attempts; the top-level run every attempt of the session.
      tasks: this.book.list(parent ? runId : undefined),
      startedAt: new Date(started).toISOString(),
      endedAt: new Date(ended).toISOString(),
      durationMs,
      output: outcome.output,
      stats: stats ?? EMPTY_STATS,
    };
  }

  /**
   * Runs the state machine once, with the session's handlers, abort signal and progress events,
   * under the execution's limits (payload sizes, history events): a breach fails the run.
   */
  private async execute(prepared: PreparedFlow, input: Json, run: ParentRun): Promise<Outcome> {
    const { runId, executionArn } = run;
    const fastRetries = this.options.fastRetries ?? false;
    const limits = new ExecutionLimits({ name: prepared.flow.flowName, subflowStates: prepared.subflows }, runId);
    const execution = prepared.machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: {
          ...taskStateHandlers(prepared, runId, this.handlerFor(prepared), { fastRetries, emit: this.emit, gate: limits }),
          ...subflowStateHandlers(prepared, run, (child, childInput, p) => this.run(child, childInput, p)),
        },
        ...(fastRetries ? { retryIntervalOverrides: prepared.zeroRetries } : {}),
      },
      context: {
        Execution: { Name: runId, Id: executionArn },
        StateMachine: { Id: prepared.stateMachineArn, Name: prepared.compiled.stateMachineName },
        State: { RetryCount: 0 },
      },
    });
    limits.bind(() => execution.abort());
    const abort = () => {
      limits.close(new ExecutionClosedError("the run was aborted"));
      execution.abort();
    };
    this.options.signal?.addEventListener("abort", abort, { once: true });
    if (this.options.signal?.aborted) abort();
    const progress = this.emit ? [mapProgress(prepared, runId, this.emit)] : [];
    const observing = observe(execution.eventLogs, [limits.observe, ...progress]);
    let outcome: Outcome;
    try {
      outcome = { status: "SUCCEEDED", output: (await execution.result) as Json };
    } catch (error) {
      outcome = this.failure(error, runId);
    } finally {
      this.options.signal?.removeEventListener("abort", abort);
    }
    await observing;
    const { breach } = limits;
    if (breach) {
      const error = { name: breach.name, message: breach.message, runId, ...(breach.state ? { state: breach.state } : {}) };
      outcome = { status: "FAILED", error };
    }
    return { ...outcome, stats: limits.stats() };
  }

  private handlerFor(p: PreparedFlow): TaskHandler {
    let handler = this.handlers.get(p.flow);
    if (!handler) {
      const h = this.history;
      const history: HistoryStore = {
        putTaskRun: this.book.put,
        putFlowRun: (r) => h.putFlowRun(r),
        getRun: (id) => h.getRun(id),
        listRuns: (f, q) => h.listRuns(f, q),
      };
      const secrets = localSecrets(
        this.options.stores?.secrets ?? localSecretStore({ dir: this.options.dir }),
        {
          overrides: this.options.secrets ?? {},
          missing: this.options.missingSecrets ?? "fail",
          warn: (message) => this.emit?.({ type: "warning", flow: p.flow.flowName, message }),
        },
      );
      const overrides = this.options.taskOverrides ?? {};
      const tasks = new Map(p.compiled.tasks.map((t) => [t.name, withFn(t.task, overrides[t.name])]));
      handler = createTaskHandler({ tasks, results: this.results, history, secrets, logger: this.logger });
      this.handlers.set(p.flow, handler);
    }
    return handler;
  }

  private failure(error: unknown, runId: string): { status: LocalRunStatus; error: RunError } {
    if (error instanceof ExecutionTimeoutError) {
      return {
        status: "TIMED_OUT",
        error: { name: "States.Timeout", message: "the flow ran longer than its `timeout`" },
      };
    }
    if (error instanceof ExecutionAbortedError) {
      return { status: "ABORTED", error: { name: "ExecutionAborted", message: "the run was aborted" } };
    }
    const cause = error instanceof ExecutionError ? error.cause : error;
    if (cause instanceof SubflowFailed && cause.child) return { status: "FAILED", error: cause.child };
    const base = errorOf(cause);
    const task = this.book.failed(runId, base.name, base.message);
    if (!task) return { status: "FAILED", error: base };
    const at = {
      state: task.state,
      task: task.task,
      runId,
      ...(task.mapIndex === undefined ? {} : { index: task.mapIndex }),
    };
    return { status: "FAILED", error: { ...base, ...at } };
  }

  private onLog(line: LogLine): void {
    const message = String(line.message ?? "");
    if (!this.emit || HANDLER_LINES.has(message)) return;
    const level = String(line.level ?? "INFO").toLowerCase();
    this.emit({
      type: "log",
      flow: String(line.flow ?? ""),
      runId: String(line.runId ?? ""),
      level: level === "warn" || level === "error" || level === "debug" ? level : "info",
      message: line.error ? `${message}: ${JSON.stringify(line.error)}` : message,
      state: line.state as string | undefined,
      index: line.mapIndex as number | undefined,
      attempt: line.attempt as number | undefined,
    });
  }
}

const EMPTY_STATS: RunStats = { historyEvents: 0, transitions: 0, maxStateBytes: 0, maxTaskEventBytes: 0 };

function errorOf(error: unknown): RunError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

async function decode(p: PreparedFlow, output: Json, results: () => ResultStore): Promise<unknown> {
  const shape = p.compiled.output;
  // Unreachable: the local target compiles Distributed Maps to inline Maps, whose output is rows.
  if (shape.kind === "manifest")
    throw new Error(
      `flow \`${p.flow.flowName}\` compiled for \`local\` has a \`${shape.kind}\` output; this is a stepflow bug, please report it`,
    );
  return decodeOutput(output, shape, results);
}

/** The task itself, or a copy running `fn` instead of its own function (same name and options). */
function withFn(task: AnyTask, fn: TaskFn | undefined): AnyTask {
  if (!fn) return task;
  return Object.assign((...args: unknown[]) => task(...args), task, { fn }) as AnyTask;
}
