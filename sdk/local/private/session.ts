/**
 * One local session: a run and the subflow runs it starts, sharing stores, task handlers and
 * the in-memory task-run book. Every Task state is bound by name to the real task handler
 * (functions/), in-process; subflow states start nested executions with their own run ids (see
 * state-handlers.ts).
 */
import { setImmediate } from "node:timers";
import { Logger } from "@aws-lambda-powertools/logger";
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from "aws-local-stepfunctions";
import { createRecorder, type Recorder } from "../../../functions/recorder.ts";
import { createTaskHandlerNow, putStartsInProgress, type TaskHandlerNow } from "../../../functions/task-handler.ts";
import { localCacheLease } from "../../../functions/stores/local-cache-lease.ts";
import { type LocalTaskLogs, localTaskLogs } from "../../../functions/stores/local-task-logs.ts";
import { decodeOutput } from "../../../functions/resolve-output.ts";
import type { HistoryStore, ResultStore } from "../../../functions/stores/types.ts";
import { localHistoryStore } from "../../../functions/stores/local-history-store.ts";
import { localResultStore } from "../../../functions/stores/local-result-store.ts";
import { localSecretStore } from "../../../functions/stores/local-secret-store.ts";
import type { TaskFn } from "../../define/task.ts";
import type { GraphFlow, GraphTask } from "../../graph/types.ts";
import { assertRunId, newRunId } from "../../core/run-id.ts";
import type { LocalRun, RunError, RunEvent, RunLocalOptions, RunStats } from "../types.ts";
import { DistributedMapFailed, DistributedMaps } from "./distributed-map.ts";
import { observe, runObserved } from "./engine-events.ts";
import { onExitWhileOpen } from "./exit-hook.ts";
import { ExecutionLog } from "./executions.ts";
import { ExecutionClosedError, ExecutionLimits } from "./limits.ts";
import { type PreparedFlow, prepare } from "./prepare.ts";
import { mapProgress } from "./progress.ts";
import { keepInProcess, stopAttempts, warmWorkerPool, workerInvoker } from "./task-workers.ts";
import { localSecrets } from "./secrets.ts";
import type { LogTarget } from "../../../functions/private/run-log.ts";
import { type LogLine, sinkLogger } from "./sink-logger.ts";
import { type ParentRun, SubflowFailed, type SubflowParent, subflowStateHandlers, taskStateHandlers } from "./state-handlers.ts";
import { type RetryRecord, ReuseBook, saveRetryRecord } from "./reuse.ts";
import { TaskRunBook } from "./task-runs.ts";
import type { Json } from "../../core/json.ts";
import type { FinalRunStatus } from "../../core/status.ts";

let silent: Logger | undefined;
/** The recorder's logger: silent, so one for the process (a Powertools Logger costs a run's worth of small tasks to build). */
function silentLogger(): Logger {
  return (silent ??= new Logger({ logLevel: "SILENT" }));
}

type Outcome = { status: FinalRunStatus; output?: Json; error?: RunError; stats?: RunStats; result?: unknown };

/** The handler's own lines; the session reports them as task events, not as log lines. */
const HANDLER_LINES = new Set(["task started", "task succeeded", "task failed"]);
const LEVELS = { debug: "DEBUG", info: "INFO", warn: "WARN", error: "ERROR" } as const;
/** How long a failed run waits for its attempts still in flight to end before ending them itself. */
const SETTLE_MS = 2000;

export class LocalSession {
  private readonly results: ResultStore;
  private readonly history: HistoryStore;
  private readonly book: TaskRunBook;
  private readonly recordRun: Recorder;
  private readonly handlers = new Map<GraphFlow, TaskHandlerNow>();
  private readonly emit: ((event: RunEvent) => void) | undefined;
  private readonly logger: LogTarget;
  /** Which machine each run executed, for `stepflow ui`; none when the history is not the local one. */
  private readonly executions: ExecutionLog | undefined;
  /** Where task attempts' log lines are kept, beside the local history (none with custom stores). */
  private readonly taskLogs: LocalTaskLogs | undefined;
  /** The first history write that failed, reported with the run instead of failing it. */
  private historyError: RunError | undefined;

  /** Results of the run being retried (none for a fresh run), and this run's own. */
  private readonly reuse: ReuseBook;

  constructor(
    private readonly options: RunLocalOptions,
    /** The run this session retries and what it left (`retryLocal`). */
    private readonly retry?: { readonly runId: string; readonly record: RetryRecord },
  ) {
    this.reuse = new ReuseBook(retry?.record.outputs);
    if (options.runId !== undefined) assertRunId(options.runId, "`runLocal` option `runId`");
    const dir = { dir: options.dir };
    this.emit = options.onEvent;
    this.results = options.stores?.results ?? localResultStore(dir);
    this.history = options.stores?.history ?? localHistoryStore(dir);
    this.executions = options.stores?.history ? undefined : new ExecutionLog(options.dir);
    this.taskLogs = options.stores?.history ? undefined : localTaskLogs(dir);
    this.book = new TaskRunBook(this.history, this.emit, (error) => this.historyFailed(error));
    this.recordRun = createRecorder({ history: this.history, logger: silentLogger() });
    // Without a listener, only warnings are built at all: info lines cost time per task.
    this.logger = sinkLogger(this.emit ? LEVELS[options.logLevel ?? "info"] : "SILENT", (line) =>
      this.onLog(line),
    );
  }

  /**
   * Runs `flow` with validated `input`; a subflow run passes its `parent`. The run record is
   * written when the run starts and reaches a terminal status on every way out: success,
   * failure, abort, an unexpected error, and the process exiting while the run goes.
   */
  async run(flow: GraphFlow, input: Json, parent?: SubflowParent): Promise<LocalRun> {
    if (this.options.isolation === "worker") warmWorkerPool();
    const prepared = prepare(flow);
    const runId = parent || !this.options.runId ? newRunId(flow.flowName) : this.options.runId;
    const executionArn = `${prepared.stateMachineArn.replace(":stateMachine:", ":execution:")}:${runId}`;
    this.executions?.started(prepared.compiled, runId);
    const started = Date.now();
    // As on AWS, a nested execution's input names the execution that started it (the recorder reads it).
    const recordedInput = JSON.stringify(
      parent ? { ...(input as Record<string, Json>), AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: parent.executionArn } : input,
    );
    const status = (s: string, extra: Record<string, unknown> = {}) =>
      this.recordRun({
        detail: {
          executionArn,
          stateMachineArn: prepared.stateMachineArn,
          name: runId,
          status: s,
          startDate: started,
          input: recordedInput,
          ...extra,
        },
      }).catch((error: unknown) => void this.historyFailed(error));
    const end = (outcome: Outcome) => {
      const error = { name: "RunEnded", message: `run \`${runId}\` ended ${outcome.status} while this attempt was still running; its result was not used` };
      const ending = this.book.endRunning(runId, error);
      const output = outcome.output === undefined ? undefined : JSON.stringify(outcome.output);
      const at = { stopDate: Date.now(), output, error: outcome.error?.name, cause: outcome.error?.message };
      return Promise.all([ending, status(outcome.status, at)]);
    };
    this.emit?.({ type: "run-started", flow: flow.flowName, runId, parentRunId: parent?.runId, params: input });
    const exited = { name: "ExecutionAborted", message: "the process exited while the run was going" };
    const unregister = onExitWhileOpen(() => {
      // A task function that exits the process does it inside its own call, whose start may not be put yet.
      putStartsInProgress();
      void end({ status: "ABORTED", error: exited });
    });
    let outcome: Outcome = { status: "FAILED", error: { name: "Error", message: "the run stopped on an unexpected error" } };
    try {
      await status("RUNNING");
      outcome = await this.execute(prepared, input, { runId, executionArn, reuse: this.reuse.scope(parent?.scope ?? "", runId) });
      if (outcome.status === "SUCCEEDED" && !parent) outcome = await this.decoded(prepared, outcome);
      // A failed Map's other items may still be running: their own records are the truth.
      if (outcome.status === "FAILED") await this.book.settle(runId, SETTLE_MS);
      // After the settle: an item still in flight when the run failed may yet succeed, and be reused.
      if (outcome.status !== "SUCCEEDED" && !parent) await this.keepForRetry(flow, runId, input);
    } finally {
      unregister();
      await end(outcome);
    }
    if (!parent) await endOfJob();
    const ended = Date.now();
    const durationMs = ended - started;
    const { flowName } = flow;
    const { result: _, ...finished } = outcome;
    this.emit?.({ type: "run-finished", flow: flowName, runId, parentRunId: parent?.runId, durationMs, ...finished });
    return {
      runId,
      flow: flowName,
      status: outcome.status,
      result: outcome.result,
      ...(outcome.error ? { error: outcome.error } : {}),
      // A subflow run reports its own attempts; the top-level run every attempt of the session.
      tasks: this.book.list(parent ? runId : undefined),
      startedAt: new Date(started).toISOString(),
      endedAt: new Date(ended).toISOString(),
      durationMs,
      output: outcome.output,
      stats: outcome.stats ?? EMPTY_STATS,
      ...(this.historyError && !parent ? { historyError: this.historyError } : {}),
      ...(this.retry && !parent ? { retryOf: this.retry.runId, reused: this.reuse.reused } : {}),
    };
  }

  /** What `retryLocal` needs to run this failed run again without redoing what succeeded. */
  private async keepForRetry(flow: GraphFlow, runId: string, params: Json): Promise<void> {
    const record = { params, outputs: this.reuse.outputs, ...(this.retry ? { retryOf: this.retry.runId } : {}) };
    await saveRetryRecord(this.results, flow, runId, record).catch((error: unknown) => this.historyFailed(error));
  }

  /** The outcome with the flow's result decoded (stored values read back), or failed if that fails. */
  private async decoded(p: PreparedFlow, outcome: Outcome): Promise<Outcome> {
    try {
      return { ...outcome, result: await decode(p, outcome.output ?? null, () => this.results) };
    } catch (error) {
      return { status: "FAILED", output: outcome.output, error: errorOf(error) };
    }
  }

  /** A history write failed: the run goes on and reports the first such failure (a warning event too). */
  private historyFailed(error: unknown): void {
    if (this.historyError) return;
    const message = error instanceof Error ? error.message : String(error);
    this.historyError = { name: error instanceof Error ? error.name : "Error", message };
    this.emit?.({
      type: "warning",
      flow: "",
      message: `could not write the run's history (${message}); the run goes on and returns its result, but its history may be incomplete`,
    });
  }

  /**
   * Runs the state machine once, with the session's handlers, abort signal and progress events,
   * under the execution's limits (payload sizes, history events): a breach fails the run.
   */
  private async execute(prepared: PreparedFlow, input: Json, run: ParentRun): Promise<Outcome> {
    const { runId, executionArn } = run;
    const fastRetries = this.options.fastRetries ?? false;
    const { flow, subflows, maps } = prepared;
    const limits = new ExecutionLimits({ name: flow.flowName, subflowStates: subflows, maps }, runId);
    const distributed = new DistributedMaps(prepared.distributed, limits);
    // Ends the retry delays still running when the execution ends.
    const ended = new AbortController();
    // One table filled in place: a copy of it per run cost a 500-task chain a tenth of a millisecond.
    const handlers = subflowStateHandlers(prepared, run, (child, childInput, p) => this.run(child, childInput, p), limits);
    taskStateHandlers(
      prepared,
      runId,
      this.handlerFor(prepared),
      { fastRetries, emit: this.emit, gate: distributed.gate, reuse: run.reuse, ended: ended.signal },
      handlers,
    );
    const runOptions = {
      overrides: { taskResourceLocalHandlers: handlers },
      context: {
        Execution: { Name: runId, Id: executionArn },
        StateMachine: { Id: prepared.stateMachineArn, Name: prepared.compiled.stateMachineName },
        // The engine never retries a Lambda Task state here; the retry driver gives each attempt its number.
        State: { RetryCount: 0 },
      },
    };
    const progress = this.emit ? [mapProgress(prepared, runId, this.emit)] : [];
    // A Distributed Map runs its items with the same handlers; its engine events feed progress only,
    // so without a listener they are not read at all (a generator step per event, thousands per Map).
    const observeMap = progress.length > 0 ? (e: { eventLogs: Parameters<typeof observe>[0] }) => observe(e.eventLogs, progress) : undefined;
    Object.assign(handlers, distributed.handlers({ results: this.results, runOptions, observe: observeMap }));
    // Observed as the engine dispatches each event: a breach is seen in the state that made it.
    const { execution, observing } = runObserved(prepared.machine, input, runOptions, [limits.observe, ...progress]);
    limits.bind(() => execution.abort());
    const abort = () => {
      limits.close(new ExecutionClosedError("the run was aborted"));
      execution.abort();
    };
    this.options.signal?.addEventListener("abort", abort, { once: true });
    if (this.options.signal?.aborted) abort();
    let outcome: Outcome;
    try {
      outcome = { status: "SUCCEEDED", output: (await execution.result) as Json };
    } catch (error) {
      outcome = this.failure(error, runId);
    } finally {
      // The engine may still start queued Map items after the execution has ended; on AWS they
      // never start, so the gate refuses them before the task handler records an attempt.
      limits.close(RUN_ENDED);
      ended.abort();
      this.options.signal?.removeEventListener("abort", abort);
    }
    await observing;
    // Attempts still running in worker threads (CPU-bound code past a flow timeout, an abort) stop with the run.
    if (outcome.status !== "SUCCEEDED" && this.options.isolation === "worker") stopAttempts(runId);
    const { breach } = limits;
    if (breach) {
      const error = { name: breach.name, message: breach.message, runId, ...(breach.state ? { state: breach.state } : {}) };
      outcome = { status: "FAILED", error };
    }
    return { ...outcome, stats: { ...limits.stats(), ...distributed.stats() } };
  }

  private handlerFor(p: PreparedFlow): TaskHandlerNow {
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
      const invoke = this.options.isolation === "worker" ? workerInvoker : undefined;
      // Cache entries in a custom results store (memory, in tests) are not shared between processes: no lease files for them.
      const cacheLease = this.options.stores?.results ? undefined : localCacheLease({ dir: this.options.dir });
      // `append` is a closure over its store: passed as is.
      const taskLogs = this.taskLogs?.append;
      handler = createTaskHandlerNow(
        { tasks, results: this.results, history, secrets, logger: this.logger, invoke, cacheLease, taskLogs },
        // A listener sees each attempt start before its function runs. Without one, only an exit inside
        // the call could tell, and the exit hook puts that attempt's start (`putStartsInProgress`).
        { startRecord: this.emit ? "first" : "when-waiting" },
      );
      this.handlers.set(p.flow, handler);
    }
    return handler;
  }

  private failure(error: unknown, runId: string): { status: FinalRunStatus; error: RunError } {
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
    // A Distributed Map fails with its own error; the item's failure names the state and index.
    const failed = cause instanceof DistributedMapFailed && cause.item ? errorOf(cause.item) : base;
    const task = this.book.failed(runId, failed.name, failed.message);
    if (!task) return { status: "FAILED", error: base };
    const at = {
      state: task.state,
      task: task.task,
      runId,
      ...(task.mapIndex === undefined ? {} : { mapIndex: task.mapIndex }),
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
      mapIndex: line.mapIndex as number | undefined,
      attempt: line.attempt as number | undefined,
    });
  }
}

/**
 * Resolves on the next turn of the event loop. A run that never waited for I/O or a timer runs
 * in one job of the microtask queue, and V8 keeps every object a `WeakRef` was made for until the
 * job ends: the engine makes two per Map item and Parallel branch (`AbortSignal.any`), and what
 * they hold (the item's execution) stayed alive across back-to-back runs, ~2 MB per 1,000-item Map,
 * every collection marking it again. The job ends here, so a run leaves nothing behind.
 */
function endOfJob(): Promise<void> {
  return new Promise((resolve) => nextTurn(resolve));
}

// Node's own, taken when this module loads: fake timers installed later replace the global one,
// and in a CommonJS build (Jest) `require("timers").setImmediate` too, which is read at each call.
const nextTurn = setImmediate;

/**
 * Why a run's limits close when it ends, made once: a Map item the engine starts after that fails
 * with it, into an execution that has ended (never reported).
 */
const RUN_ENDED = new ExecutionClosedError("the run has ended");

const EMPTY_STATS: RunStats = { historyEvents: 0, transitions: 0, maxStateBytes: 0, maxTaskEventBytes: 0 };

function errorOf(error: unknown): RunError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

async function decode(p: PreparedFlow, output: Json, results: () => ResultStore): Promise<unknown> {
  return decodeOutput(output, p.compiled.output, results);
}

/** The task itself, or a copy running `fn` instead of its own function (same name and options). */
function withFn(task: GraphTask, fn: TaskFn | undefined): GraphTask {
  if (!fn) return task;
  // Callable like the task itself (a `Task` is a function); only `fn` differs.
  const call = task as unknown as TaskFn;
  const copy: GraphTask = Object.assign((...args: unknown[]) => call(...args), task, { fn });
  keepInProcess(copy);
  return copy;
}
