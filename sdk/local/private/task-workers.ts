/**
 * Runs task functions in worker threads, so that an attempt stuck in CPU-bound code past its
 * `timeout` is stopped (`States.Timeout`) as Lambda stops it, and the run, its flow `timeout` and
 * SIGINT stay responsive meanwhile. One pool per process, reused across runs: a worker starts
 * once (tsx and the flow's modules load in it, like a Lambda cold start, not counted in the
 * timeout) and then runs attempts for a message round trip each. Each worker runs several
 * attempts at once, as the main thread would; when one is stuck, the worker is stopped and the
 * other attempts it was running start again on another worker.
 */
import { availableParallelism } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SHARE_ENV, Worker } from "node:worker_threads";
import { inProcessInvoker, StatesTimeoutError, type TaskCall, type TaskInvoker, timeoutMessage } from "../../../functions/invoke.ts";
import { TaskTimeoutError } from "../../../functions/errors.ts";
import { type FromWorker, fromWire, type ToWorker } from "./worker-protocol.ts";

/** A worker that does not answer a ping this long after a deadline is stuck in CPU-bound code. */
const STUCK_AFTER_MS = 200;
const POOL_SIZE = Math.max(1, Math.min(availableParallelism(), 4));

interface Attempt {
  readonly id: number;
  readonly call: TaskCall;
  readonly message: Extract<ToWorker, { type: "call" }>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  readonly worker: Worker;
  readonly attempts: Map<number, Attempt>;
  /** Pings sent at attempts' deadlines, by id: what to do when the worker answers. */
  readonly pings: Map<number, () => void>;
  stopped: boolean;
}

/** Tasks whose module a worker cannot load (e.g. defined in a test file): they run in-process. */
const inProcess = new WeakSet<object>();
const slots: Slot[] = [];
let nextId = 0;

/** Runs `task` in this thread from now on: a copy with a replaced function (`taskOverrides`) has no module a worker could load. */
export function keepInProcess(task: object): void {
  inProcess.add(task);
}

/** The invoker of the worker pool: each attempt runs in a worker thread when its module can load there. */
export const workerInvoker: TaskInvoker = (call) => {
  const module = moduleOf(call.task.site);
  if (!module || inProcess.has(call.task)) return inProcessInvoker(call);
  const id = nextId++;
  const message = { type: "call", id, module, task: call.task.taskName, args: call.args, context: call.context } as const;
  return new Promise((resolve, reject) => dispatch({ id, call, message, resolve, reject }));
};

/**
 * Starts a worker now if the pool has none, so that it loads while the run is prepared and the
 * first attempt does not wait for its start-up.
 */
export function warmWorkerPool(): void {
  if (slots.length === 0) slots.push(start());
}

function dispatch(a: Attempt): void {
  const slot = pick();
  slot.attempts.set(a.id, a);
  // A busy worker keeps the process alive (the run awaits it); an idle one must not (see `start`).
  slot.worker.ref();
  slot.worker.postMessage(a.message);
}

/** The least busy worker, starting a new one while the pool is not full and every worker is busy. */
function pick(): Slot {
  let best: Slot | undefined;
  for (const s of slots) if (!best || s.attempts.size < best.attempts.size) best = s;
  if (best && (best.attempts.size === 0 || slots.length >= POOL_SIZE)) return best;
  const slot = start();
  slots.push(slot);
  return slot;
}

/**
 * Where a worker starts: the compiled CLI's worker entry (bin/private/compiled-cli.js sets it), whose
 * flow modules are compiled into its bundle as the CLI's are; from source (tsx) otherwise.
 */
const COMPILED_WORKER = Symbol.for("stepflow.taskWorkerEntry");

function start(): Slot {
  const compiled = (globalThis as { [key: symbol]: string | undefined })[COMPILED_WORKER];
  // The process's environment, live (not a copy taken now): a task reads it as an in-process one would.
  const worker = new Worker(compiled ? new URL(compiled) : new URL("./task-worker-boot.mjs", import.meta.url), { env: SHARE_ENV });
  const slot: Slot = { worker, attempts: new Map(), pings: new Map(), stopped: false };
  worker.on("message", (m: FromWorker) => onMessage(slot, m));
  worker.on("error", (error) => retire(slot, error));
  worker.on("exit", () => retire(slot, new Error("the task worker exited")));
  // An idle worker must not keep a finished CLI or test process alive. After the listeners: adding
  // a `message` listener refs the worker's port again. `dispatch` refs it while it has attempts.
  worker.unref();
  return slot;
}

function onMessage(slot: Slot, m: FromWorker): void {
  if (m.type === "pong") return slot.pings.get(m.id)?.();
  const a = slot.attempts.get(m.id);
  if (!a) return;
  switch (m.type) {
    case "started":
      a.timer = setTimeout(() => overdue(slot, a), a.call.task.options.timeoutSeconds * 1000);
      return;
    case "log":
      a.call.log[m.level](m.message, m.extra);
      return;
    case "unavailable":
      // Not loadable in a worker: this task runs in-process from now on.
      inProcess.add(a.call.task);
      settle(slot, a);
      Promise.resolve(inProcessInvoker(a.call)).then(a.resolve, a.reject);
      return;
    case "done":
      settle(slot, a);
      a.resolve(m.value);
      return;
    case "error":
      settle(slot, a);
      a.reject(fromWire(m.error));
      return;
  }
}

function settle(slot: Slot, a: Attempt): void {
  clearTimeout(a.timer);
  slot.attempts.delete(a.id);
  if (slot.attempts.size === 0) slot.worker.unref();
}

/** At an attempt's deadline: a worker that answers is waiting (TaskTimeoutError); one that does not is stuck. */
function overdue(slot: Slot, a: Attempt): void {
  const ping = nextId++;
  const stuck = setTimeout(() => {
    slot.pings.delete(ping);
    // It ended meanwhile: nothing to stop.
    if (!slot.attempts.has(a.id)) return;
    settle(slot, a);
    a.reject(new StatesTimeoutError(timeoutMessage(a.call, "was stopped: its CPU-bound code ran past")));
    void stop(slot);
  }, STUCK_AFTER_MS);
  slot.pings.set(ping, () => {
    clearTimeout(stuck);
    slot.pings.delete(ping);
    if (!slot.attempts.has(a.id)) return;
    settle(slot, a);
    a.reject(new TaskTimeoutError(timeoutMessage(a.call, "did not finish within")));
  });
  slot.worker.postMessage({ type: "ping", id: ping } satisfies ToWorker);
}

/**
 * Stops the attempts of run `runId` still going (the run ended: timed out, aborted or failed), and
 * the workers running them; other runs' attempts on those workers start again elsewhere.
 */
export function stopAttempts(runId: string): void {
  for (const slot of [...slots]) {
    const mine = [...slot.attempts.values()].filter((a) => a.call.context.runId === runId);
    if (mine.length === 0) continue;
    for (const a of mine) {
      settle(slot, a);
      a.reject(new Error(`run \`${runId}\` ended; its attempt was stopped`));
    }
    void stop(slot);
  }
}

/** Stops a stuck worker; the other attempts it was running start again on another worker. */
async function stop(slot: Slot): Promise<void> {
  retire(slot, undefined);
  await slot.worker.terminate();
}

function retire(slot: Slot, error: Error | undefined): void {
  if (slot.stopped) return;
  slot.stopped = true;
  slots.splice(slots.indexOf(slot), 1);
  const orphans = [...slot.attempts.values()];
  slot.attempts.clear();
  for (const a of orphans) {
    clearTimeout(a.timer);
    if (error) a.reject(error);
    else dispatch(a);
  }
}

/** The file URL of the module at a task's `site` (`path:line`), if it names a file. */
function moduleOf(site: string | undefined): string | undefined {
  const match = /^(.*):\d+$/.exec(site ?? "");
  if (!match || match[1] === "<unknown>") return undefined;
  const file = match[1];
  return pathToFileURL(isAbsolute(file) ? file : resolve(process.cwd(), file)).href;
}
