/**
 * The task handler core: what every task Lambda (and the local runner, in-process) runs for
 * one Task state invocation. It resolves inputs, checks the cache, runs the task function under
 * its timeout, stores the result, records the attempt in history and returns a small envelope.
 * @see sdk/core/protocol.ts for the payload protocol it follows.
 */
import type { TaskContext } from "../sdk/core/task-context.ts";
import { Logger } from "@aws-lambda-powertools/logger";
import type { RuntimeTask } from "../sdk/core/runtime-task.ts";
import {
  type Envelope,
  INLINE_LIMIT_BYTES,
  ITEM_INLINE_LIMIT_BYTES,
  PAYLOAD_LIMIT_BYTES,
  type TaskRequest,
} from "../sdk/core/protocol.ts";
import { NonRetriableError } from "../sdk/core/errors.ts";
import { ListStoredError, PayloadError, UnknownTaskError } from "./errors.ts";
import { inProcessInvoker, type TaskInvoker } from "./invoke.ts";
import { isThenable } from "./private/timeout.ts";
import { cacheKey, cacheLock, readCache } from "./private/cache.ts";
import { DEFAULT_LEASE_MS, withCacheLease } from "./private/cache-lease.ts";
import { currentDeadline } from "./private/deadline.ts";
import { emitResult, INLINE_WRAPPER_BYTES, inlineEnvelope, MAX_INLINE_MAP_ITEMS, type PayloadLimits, toJson } from "./private/emit-output.ts";
import { isoTime } from "./private/iso-time.ts";
import { jsonBytes } from "./private/json.ts";
import { resultRef } from "./private/result-ref.ts";
import { WRITTEN } from "./private/written.ts";
import { containsSecret, secretValueProblem } from "./private/redact.ts";
import { checkLengths, resolveArgs } from "./private/resolve-inputs.ts";
import { createRunLog, type LogTarget, type RunLog } from "./private/run-log.ts";
import { errorSummary, toEngineError } from "./private/task-error.ts";
import { resultsCacheStore } from "./stores/results-cache-store.ts";
import type { CacheLeaseStore, CacheStore, HistoryStore, TaskLogLine, ResultStore, SecretStore, TaskRunRecord } from "./stores/types.ts";

export type { PayloadLimits } from "./private/emit-output.ts";
import type { Json } from "../sdk/core/json.ts";

/** Finds a task by name: a function, a `Map` or a plain object keyed by task name. */
export type TaskLookup =
  | ((name: string) => RuntimeTask | undefined)
  | ReadonlyMap<string, RuntimeTask>
  | Readonly<Record<string, RuntimeTask>>;

/** What the task handler needs. */
export interface TaskHandlerDeps {
  /** The tasks this handler can run, by task name. */
  readonly tasks: TaskLookup;
  readonly results: ResultStore;
  readonly history: HistoryStore;
  readonly secrets: SecretStore;
  /** Where cached results live. @default entries in `results` under `cache/` */
  readonly cache?: CacheStore;
  /**
   * Leases on cache keys, so that one call per key runs the task across processes and Lambdas.
   * @default none: only calls in this process wait for each other
   */
  readonly cacheLease?: CacheLeaseStore;
  /** How long a cache lease may go unrenewed before a waiter takes it over. @default 30 seconds */
  readonly cacheLeaseMs?: number;
  /** Receives each attempt's own log lines (redacted) to keep beside its record. @default not kept (Lambda logs go to CloudWatch) */
  readonly taskLogs?: (context: TaskContext, line: TaskLogLine) => void;
  /** Current time in epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /**
   * Where log lines go; each line carries the invocation's context. A Powertools `Logger` fits.
   * @default a Powertools Logger, service `stepflow`
   */
  readonly logger?: LogTarget;
  /** Runs the task function under its timeout. @default in this process (`inProcessInvoker`) */
  readonly invoke?: TaskInvoker;
  /** Payload thresholds. @default the constants in sdk/core/protocol.ts, and 1000 items per inline Map */
  readonly limits?: Partial<PayloadLimits>;
}

/** Handles one Task state invocation; throws the task's error (name kept) on failure. */
export type TaskHandler = (request: TaskRequest) => Promise<Envelope>;

/**
 * @internal The task handler that answers at once when it can: an attempt whose arguments are
 * inline, whose function returns without a promise and whose result travels inline (a chain of
 * quick tasks) returns its envelope, or throws, with no promise; any other returns a promise.
 */
export type TaskHandlerNow = (request: TaskRequest) => Envelope | Promise<Envelope>;

/**
 * Creates the task handler.
 * @example const handle = createTaskHandler({ tasks: { "get-data": getData }, ...localStores() });
 */
export function createTaskHandler(deps: TaskHandlerDeps): TaskHandler {
  const now = createTaskHandlerNow(deps);
  return (request) => {
    try {
      const envelope = now(request);
      return isThenable(envelope) ? envelope : Promise.resolve(envelope);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };
}

/** @internal How `createTaskHandlerNow` records attempts. */
export interface TaskHandlerNowOptions {
  /**
   * `"when-waiting"`: an attempt's start record is put only once the attempt waits (its call
   * returns a promise); an attempt that ends within the call puts its end record alone, which
   * carries its start. For a caller whose history shows nothing of a put before the call returns
   * (the local runner without an event listener): no store writes before the current turn ends
   * (the local store writes at its end; an SDK client's request goes out after an await), so
   * the history is the same, with half the records to build. An `exit` handler that ends the
   * attempts still running calls `putStartsInProgress` first. @default "first"
   */
  readonly startRecord?: "first" | "when-waiting";
}

/** @internal `createTaskHandler`, answering at once when it can (the local runner's retry driver takes either). */
export function createTaskHandlerNow(deps: TaskHandlerDeps, options: TaskHandlerNowOptions = {}): TaskHandlerNow {
  const startFirst = options.startRecord !== "when-waiting";
  const clock = deps.clock ?? Date.now;
  const limits: PayloadLimits = {
    inlineBytes: deps.limits?.inlineBytes ?? INLINE_LIMIT_BYTES,
    itemInlineBytes: deps.limits?.itemInlineBytes ?? ITEM_INLINE_LIMIT_BYTES,
    payloadBytes: deps.limits?.payloadBytes ?? PAYLOAD_LIMIT_BYTES,
    maxItems: deps.limits?.maxItems ?? MAX_INLINE_MAP_ITEMS,
  };
  const cache = deps.cache ?? resultsCacheStore(deps.results);
  const logger: LogTarget = deps.logger ?? new Logger({ serviceName: "stepflow" });
  const find = taskFinder(deps.tasks);
  const invoke = deps.invoke ?? inProcessInvoker;

  return (request) => {
    // One context for the log lines, the history records and `taskContext()`.
    const context: TaskContext = {
      flow: request.flow,
      runId: request.run,
      task: request.task,
      state: request.state,
      mapIndex: request.index,
      attempt: request.attempt ?? 0,
    };
    const secrets = new Set<string>();
    const log = createRunLog(logger, context, secrets, deps.taskLogs);
    const task = find(request.task);
    if (!task) {
      const error = new UnknownTaskError(
        `state \`${request.state}\` asked for task \`${request.task}\`, which this handler does not have; redeploy so the Lambda and the state machine come from the same build`,
      );
      log.error("task failed", { error: errorSummary(error) });
      throw error;
    }
    const started = clock();
    const startedAt = isoTime(started);
    const { flow, runId, state, mapIndex, attempt } = context;
    // Records written field by field, in the order the history has always had (spreads cost more, per attempt).
    const running: TaskRunRecord = { flow, runId, task: context.task, state, mapIndex, attempt, startedAt, status: "RUNNING" };
    // Not awaited before the body: a slow or unreachable history store never delays the work.
    const startRecord = startFirst ? record(deps.history, running, log) : undefined;
    // Checked before the lines' attributes are built: most local runs keep no info line.
    const infoLines = logger.takes?.("info") !== false;
    if (infoLines) log.info("task started");
    // One object for the attempt: what computing it needs and what recording its end needs.
    const attemptRun: AttemptRun = {
      deps,
      invoke,
      cache,
      clock,
      limits,
      context,
      log,
      secrets,
      begun: performance.now(),
      request,
      running,
      started,
      startRecord,
      infoLines,
    };
    let computed: Computed | Promise<Computed>;
    // While it computes at once with its start not put, an `exit` handler can put it (`putStartsInProgress`).
    const outer = atOnce;
    if (!startFirst) atOnce = attemptRun;
    try {
      computed = run(task, request, attemptRun);
    } catch (thrown) {
      return failed(attemptRun, thrown);
    } finally {
      atOnce = outer;
    }
    if (isThenable(computed)) {
      // The attempt waits: its start goes to the history now, before anything else can run.
      attemptRun.startRecord ??= record(deps.history, running, log);
      return computed.then(
        (c) => succeeded(attemptRun, c),
        (thrown: unknown) => failed(attemptRun, thrown),
      );
    }
    return succeeded(attemptRun, computed);
  };
}

/**
 * The attempt computing at once right now whose start is not put (`"when-waiting"`): one at a
 * time, as its computation is synchronous up to its first wait.
 */
let atOnce: AttemptRun | undefined;

/**
 * @internal Puts the start record of the attempt computing at once right now, if its start is
 * not put yet: for an `exit` handler that ends the attempts still running (a task function that
 * calls `process.exit` ends the process inside its own call), which must find it running.
 */
export function putStartsInProgress(): void {
  const a = atOnce;
  if (a !== undefined) a.startRecord ??= record(a.deps.history, a.running, a.log);
}

/** One attempt: what computing it needs (`RunScope`) and what recording its end needs. */
interface AttemptRun extends RunScope {
  readonly request: TaskRequest;
  readonly running: TaskRunRecord;
  readonly started: number;
  /** Its start record's write; none while an attempt recorded `"when-waiting"` has not waited (its end record carries the start). */
  startRecord: Promise<void> | undefined;
  readonly infoLines: boolean;
}

/** Records a computed attempt's success and answers its envelope: at once when the history took both records at once. */
function succeeded(a: AttemptRun, { envelope, cached, bytes }: Computed): Envelope | Promise<Envelope> {
  const ended = a.clock();
  const durationMs = ended - a.started;
  const done = endOf(a.running, ended, durationMs);
  done.cached = cached;
  done.status = "SUCCEEDED";
  done.result = resultRef(envelope, bytes);
  // Queued already (the local store): no turn of the microtask queue per record.
  if (a.startRecord === WRITTEN || a.startRecord === undefined) {
    const ending = record(a.deps.history, done, a.log);
    if (ending === WRITTEN) return answer(a, envelope, durationMs, cached);
    return ending.then(() => answer(a, envelope, durationMs, cached));
  }
  return a.startRecord
    .then(() => record(a.deps.history, done, a.log))
    .then(() => answer(a, envelope, durationMs, cached));
}

/** The envelope of a recorded success (not a closure per attempt: tsx names each one, with a call). */
function answer(a: AttemptRun, envelope: Envelope, durationMs: number, cached: boolean): Envelope {
  if (a.infoLines) a.log.info("task succeeded", { durationMs, cached });
  // The list went to the store for a Distributed Map; the state's Catch takes that path.
  if (a.request.spill === "error" && "s3" in envelope) throw new ListStoredError(JSON.stringify(envelope));
  return envelope;
}

/** Records a failed attempt and rethrows its error as the engine sees it. */
async function failed(a: AttemptRun, thrown: unknown): Promise<never> {
  const error = toEngineError(thrown, a.secrets);
  const ended = a.clock();
  const durationMs = ended - a.started;
  const summary = errorSummary(error);
  const done = endOf(a.running, ended, durationMs);
  done.error = summary;
  done.status = "FAILED";
  await a.startRecord;
  await record(a.deps.history, done, a.log);
  a.log.error("task failed", { durationMs, error: summary });
  throw error;
}

interface RunScope {
  readonly deps: TaskHandlerDeps;
  readonly invoke: TaskInvoker;
  readonly cache: CacheStore;
  readonly clock: () => number;
  readonly limits: PayloadLimits;
  readonly context: TaskContext;
  readonly log: RunLog;
  readonly secrets: Set<string>;
  /** When the invocation began (`performance.now()`): waiting for a cache lease ends within the task's timeout. */
  readonly begun: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * An attempt's end record up to its duration: the running record's fields, set one by one in the
 * order the history has always had; the caller adds the outcome (`cached`, `error`), the status
 * and `result` after them, in that order.
 */
function endOf(r: TaskRunRecord, ended: number, durationMs: number): Mutable<TaskRunRecord> {
  return {
    flow: r.flow,
    runId: r.runId,
    task: r.task,
    state: r.state,
    mapIndex: r.mapIndex,
    attempt: r.attempt,
    startedAt: r.startedAt,
    endedAt: isoTime(ended),
    durationMs,
  } as Mutable<TaskRunRecord>;
}

/** `bytes`: the size of the value's JSON, when this call serialised it (history previews it without serialising again). */
type Computed = { envelope: Envelope; cached: boolean; bytes: number | undefined };

/**
 * Not an async function: a call with inline arguments, a function that returns at once and an
 * inline result is computed at once, with no promise; its caller takes what it throws as a
 * rejection.
 */
function run(task: RuntimeTask, request: TaskRequest, s: RunScope): Computed | Promise<Computed> {
  checkLengths(request);
  const resolving = resolveArgs(request, s.deps, (value, name) => {
    const problem = secretValueProblem(value);
    if (problem) {
      throw new NonRetriableError(
        `secret \`${name}\` cannot be used: ${problem}; set a longer value (\`stepflow secret set ${name}\`, or \`STEPFLOW_SECRET_<NAME>\` locally)`,
      );
    }
    s.secrets.add(value);
  });
  // Most arguments are inline: no await (a promise and a turn of the microtask queue) for them.
  return Array.isArray(resolving) ? withArgs(task, request, s, resolving) : resolving.then((args) => withArgs(task, request, s, args));
}

/** The call with its arguments resolved: computed, or through the cache when the task has one. */
function withArgs(task: RuntimeTask, request: TaskRequest, s: RunScope, args: Json[]): Computed | Promise<Computed> {
  const key = cacheKey(request, task, args);
  if (key === undefined) return compute(task, request, s, args, undefined, undefined);
  // Concurrent calls with one key wait for the first, then find its entry: the task runs once.
  return cacheLock(key, () => leased(task, request, s, args, key));
}

/** Runs a cached call under the key's lease (when the handler has a lease store), or just checks the cache first. */
async function leased(task: RuntimeTask, request: TaskRequest, s: RunScope, args: Json[], key: string): Promise<Computed> {
  const expiresIn = task.options.cache?.expiresInSeconds ?? 0;
  const store = s.deps.cacheLease;
  if (!store) return compute(task, request, s, args, key, await lookup(s, key, expiresIn));
  const deadline = currentDeadline();
  const timeoutAt = s.begun + task.options.timeoutSeconds * 1000;
  return withCacheLease<Computed>({
    store,
    key,
    leaseMs: s.deps.cacheLeaseMs ?? DEFAULT_LEASE_MS,
    waitUntil: deadline === undefined ? timeoutAt : Math.min(timeoutAt, performance.now() + deadline - Date.now()),
    peek: async () => {
      const hit = await lookup(s, key, expiresIn);
      return hit && (await compute(task, request, s, args, key, hit));
    },
    compute: async () => compute(task, request, s, args, key, await lookup(s, key, expiresIn)),
    log: s.log,
    what: `task \`${task.taskName}\` (state \`${request.state}\`)`,
  });
}

/**
 * Runs the task (or takes its cached result `hit`), checks and stores the result, and caches it
 * under `key`. At once when the function returned at once and the result travels inline.
 */
function compute(
  task: RuntimeTask,
  request: TaskRequest,
  s: RunScope,
  args: Json[],
  key: string | undefined,
  hit: { readonly value: Json } | undefined,
): Computed | Promise<Computed> {
  if (hit) return checked(task, request, s, key, hit.value, undefined, true);
  const result = s.invoke({ task, args, context: s.context, log: s.log });
  if (isThenable(result)) {
    return Promise.resolve(result).then((settled) => {
      const { value, text } = toJson(settled, request);
      return checked(task, request, s, key, value, text, false);
    });
  }
  const { value, text } = toJson(result, request);
  return checked(task, request, s, key, value, text, false);
}

/** `value` (its JSON `text`, when serialised already) checked for secrets, emitted and cached. */
function checked(
  task: RuntimeTask,
  request: TaskRequest,
  s: RunScope,
  key: string | undefined,
  value: Json,
  text: string | undefined,
  cached: boolean,
): Computed | Promise<Computed> {
  if (s.secrets.size > 0 && containsSecret(text ?? JSON.stringify(value), s.secrets)) {
    throw new PayloadError(
      `task \`${task.taskName}\` (state \`${request.state}\`) returned a value containing a secret it received; secrets never leave the task that reads them, so return something derived from the secret instead`,
    );
  }
  const valueBytes = text === undefined ? undefined : Buffer.byteLength(text);
  const emitting = { request, results: s.deps.results, limits: s.limits, bytes: valueBytes };
  const envelope = inlineEnvelope(value, emitting);
  if (envelope === undefined) return emitResult(value, emitting).then((e) => emitted(task, request, s, key, value, e, valueBytes, cached));
  return emitted(task, request, s, key, value, envelope, valueBytes, cached);
}

/** The envelope checked against the payload limit, and the value cached under `key` when it was computed. */
function emitted(
  task: RuntimeTask,
  request: TaskRequest,
  s: RunScope,
  key: string | undefined,
  value: Json,
  envelope: Envelope,
  valueBytes: number | undefined,
  cached: boolean,
): Computed | Promise<Computed> {
  // An inline envelope is its value's JSON and `{"v":}`; emitResult kept that within the limits.
  const bytes = "v" in envelope && valueBytes !== undefined ? valueBytes + INLINE_WRAPPER_BYTES : jsonBytes(envelope);
  if (bytes > s.limits.payloadBytes) {
    throw new PayloadError(
      `task \`${task.taskName}\` (state \`${request.state}\`) would return a ${bytes}-byte envelope, over the ${s.limits.payloadBytes}-byte payload limit; this is a stepflow bug, please report it`,
    );
  }
  const computed: Computed = { envelope, cached, bytes: valueBytes };
  if (key === undefined || cached) return computed;
  return s.cache.put(key, { storedAt: s.clock(), value }).then(
    () => computed,
    (error: unknown) => {
      s.log.warn("could not write the task's cache entry; the next call will run the task again", {
        error: String(error),
      });
      return computed;
    },
  );
}

async function lookup(
  s: RunScope,
  key: string,
  expiresInSeconds: number,
): Promise<{ value: Json } | undefined> {
  try {
    return await readCache(s.cache, key, expiresInSeconds, s.clock());
  } catch (error) {
    s.log.warn("could not read the task's cache; running the task", { error: String(error) });
    return undefined;
  }
}

/**
 * History is the record, not the work: the store retries a failed write within its budget, and
 * a write that still fails is logged as an error (naming the store and the operation) while the
 * task's own outcome stands, so work that succeeded is never reported lost.
 */
function record(history: HistoryStore, rec: TaskRunRecord, log: RunLog): Promise<void> {
  // Not an async function: it runs twice per attempt, and one promise chained to the write is all it needs.
  let writing: Promise<void>;
  try {
    writing = history.putTaskRun(rec);
  } catch (error) {
    recordFailed(rec, log, error);
    return Promise.resolve();
  }
  return writing === WRITTEN ? WRITTEN : writing.then(undefined, (error: unknown) => recordFailed(rec, log, error));
}

function recordFailed(rec: TaskRunRecord, log: RunLog, error: unknown): void {
  log.error(`could not write the ${rec.status} task-run record to history; the task's outcome stands`, {
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
}

function taskFinder(tasks: TaskLookup): (name: string) => RuntimeTask | undefined {
  if (typeof tasks === "function") return tasks;
  if (tasks instanceof Map) return (name) => tasks.get(name);
  const record = tasks as Readonly<Record<string, RuntimeTask>>;
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}
