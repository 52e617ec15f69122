import type { StateMachine } from "aws-local-stepfunctions";

type Execution = ReturnType<StateMachine["run"]>;
type EventLogs = Execution["eventLogs"];
type RunOptions = NonNullable<Parameters<StateMachine["run"]>[1]>;

/** One event of aws-local-stepfunctions' execution log (states entered and exited, iterations, ...). */
export type EngineEvent = EventLogs extends AsyncIterable<infer E> ? E : never;

export type EngineObserver = (event: EngineEvent) => void;

/**
 * Reads one execution's event log and hands every event to each observer, in order. Resolves
 * when the execution ends (the engine closes its log on every terminal event).
 *
 * The log is pulled with `next()` and a callback, not `for await`: an async function resumed per
 * event costs one more promise and a turn for each of the run's events (a 1,000-item Map has thousands).
 */
export function observe(logs: EventLogs, observers: readonly EngineObserver[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const step = (r: IteratorResult<EngineEvent>): void => {
      if (r.done) return resolve();
      try {
        for (const o of observers) o(r.value);
      } catch (error) {
        // As `for await` did: the log is closed and the error rejects the observation.
        logs.return?.(undefined).catch(() => undefined);
        return reject(error as Error);
      }
      logs.next().then(step, reject);
    };
    logs.next().then(step, reject);
  });
}

/** Where a sinkable machine's run finds its observers: a key of the run's options. */
const SINK = Symbol("stepflow.engineSink");

/** The engine's event logger of one execution, as far as the sink replaces it (not public API). */
interface EngineLogger {
  dispatch(event: EngineEvent): void;
  isLoggerClosed: boolean;
}

/**
 * `installed` once the wrapper swapped the logger's dispatch; `decided` once `run` returned: an
 * engine that called `execute` later (another version) has its log read, so nothing is swapped.
 */
type Sink = ((event: EngineEvent) => void) & { installed?: boolean; decided?: boolean };

/**
 * `machine`, made able to hand its executions' events to observers as the engine dispatches them
 * (`runObserved`), instead of queueing each in its log and raising a DOM event for the reader.
 * Read through the log, every state cost the engine two `Event`s and its reader a promise, a
 * listener and a generator step per event: more than the runner's own limit checks.
 *
 * aws-local-stepfunctions has no public hook for this: the machine's (private) `execute`, which
 * receives the execution's logger, is wrapped on this instance to swap the logger's `dispatch`.
 * When the engine's shape differs (another version), nothing is swapped and `runObserved`
 * reads the log as before; package.json pins the engine to 3.0.x (`~`), so a new minor version
 * is taken on purpose, with engine-events.test.ts run against it. Map and Parallel iterations
 * run on machines the engine builds itself: their events reach the observers when the engine
 * forwards them to this execution's logger.
 */
export function sinkable<M extends StateMachine>(machine: M): M {
  const own = machine as unknown as { execute?: (input: unknown, options: EngineRunOptions, ...rest: unknown[]) => unknown };
  const execute = own.execute;
  if (typeof execute !== "function") return machine;
  Object.defineProperty(machine, "execute", {
    value(this: M, input: unknown, options: EngineRunOptions, ...rest: unknown[]) {
      const sink = options?.runOptions?.[SINK];
      const logger = options?.eventLogger;
      if (sink && !sink.decided && typeof logger?.dispatch === "function" && typeof logger.isLoggerClosed === "boolean") {
        // The engine's own `dispatch` drops events once the log is closed: so does this one.
        logger.dispatch = function (this: EngineLogger, event: EngineEvent) {
          if (!this.isLoggerClosed) sink(event);
        };
        sink.installed = true;
      }
      return execute.call(this, input, options, ...rest);
    },
  });
  return machine;
}

interface EngineRunOptions {
  readonly runOptions?: { readonly [SINK]?: Sink };
  readonly eventLogger?: EngineLogger;
}

/**
 * Starts an execution of `machine` whose every event goes to each observer in order; `observing`
 * settles once the execution has ended and its events were observed, rejecting with the first
 * error an observer threw (no event is observed after it, as when the log was read). On a machine
 * made `sinkable`, observers run as the engine dispatches each event; otherwise the log is read.
 */
export function runObserved(
  machine: StateMachine,
  input: unknown,
  options: RunOptions,
  observers: readonly EngineObserver[],
): { execution: Execution; observing: Promise<void> } {
  let failed = false;
  let failure: unknown;
  const sink: Sink = (event) => {
    if (failed) return;
    try {
      for (const o of observers) o(event);
    } catch (error) {
      failed = true;
      failure = error;
    }
  };
  const execution = machine.run(input as never, { ...options, [SINK]: sink } as RunOptions);
  sink.decided = true;
  if (!sink.installed) return { execution, observing: observe(execution.eventLogs, observers) };
  // The engine dispatches the terminal event before the result settles, on every way out.
  const ended = (): void => {
    if (failed) throw failure;
  };
  return { execution, observing: execution.result.then(ended, ended) };
}
