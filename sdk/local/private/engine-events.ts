import type { StateMachine } from "aws-local-stepfunctions";

type EventLogs = ReturnType<StateMachine["run"]>["eventLogs"];

/** One event of aws-local-stepfunctions' execution log (states entered and exited, iterations, ...). */
export type EngineEvent = EventLogs extends AsyncIterable<infer E> ? E : never;

/**
 * Reads one execution's event log and hands every event to each observer, in order. Resolves
 * when the execution ends (the engine closes its log on every terminal event).
 */
export async function observe(
  logs: EventLogs,
  observers: readonly ((event: EngineEvent) => void)[],
): Promise<void> {
  for await (const event of logs) for (const o of observers) o(event);
}

type Observer = (event: EngineEvent) => void;
/** What `StateMachine.run` hands its `execute` (aws-local-stepfunctions 3.x; not part of its typed API). */
interface EngineLogger {
  isLoggerClosed: boolean;
  dispatch(event: EngineEvent): void;
}
type Execute = (input: unknown, options: { eventLogger?: EngineLogger }, cleanup: () => void) => Promise<unknown>;

/** The observers of the execution `run` is starting (it calls `execute` synchronously), and whether they were hooked. */
let starting: { readonly observers: readonly Observer[]; hooked: boolean } | undefined;
const wrapped = new WeakSet<StateMachine>();

/**
 * Runs `machine` and hands every event of the execution's log to each observer, in order, as the
 * engine dispatches it: the same events `observe` reads from `eventLogs`, without the promise and
 * the listener the log's async iterator costs per event (a tenth of stepflow's own cost on a
 * chain of trivial tasks). Falls back to `observe` if the engine gives its `execute` no event
 * logger to hook (another engine version); `direct` says which. `observing` resolves when the
 * execution has ended and its log closed.
 */
export function runObserved(
  machine: StateMachine,
  input: Parameters<StateMachine["run"]>[0],
  options: Parameters<StateMachine["run"]>[1],
  observers: readonly Observer[],
): { execution: ReturnType<StateMachine["run"]>; observing: Promise<void>; direct: boolean } {
  const m = machine as unknown as { execute?: Execute };
  const execute = m.execute;
  if (typeof execute === "function" && !wrapped.has(machine)) {
    wrapped.add(machine);
    m.execute = function (this: unknown, runInput, runOptions, cleanup) {
      const run = starting;
      starting = undefined;
      const logger = runOptions.eventLogger;
      if (run && typeof logger?.dispatch === "function" && typeof logger.isLoggerClosed === "boolean") {
        hook(logger, run.observers);
        run.hooked = true;
      }
      return execute.call(this, runInput, runOptions, cleanup);
    };
  }
  const run = { observers, hooked: false };
  starting = run;
  let execution: ReturnType<StateMachine["run"]>;
  try {
    execution = machine.run(input, options);
  } finally {
    starting = undefined;
  }
  if (!run.hooked) return { execution, observing: observe(execution.eventLogs, observers), direct: false };
  return { execution, observing: execution.result.then(noop, noop), direct: true };
}

const noop = () => {};

function hook(logger: EngineLogger, observers: readonly Observer[]): void {
  const dispatch = logger.dispatch;
  logger.dispatch = function (this: EngineLogger, event: EngineEvent) {
    // A closed log drops the event: so do the observers, as they would reading `eventLogs`.
    if (this.isLoggerClosed) return;
    dispatch.call(this, event);
    for (const o of observers) o(event);
  };
}
