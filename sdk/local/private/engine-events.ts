import type { StateMachine } from "aws-local-stepfunctions";

type EventLogs = ReturnType<StateMachine["run"]>["eventLogs"];

/** One event of aws-local-stepfunctions' execution log (states entered and exited, iterations, ...). */
export type EngineEvent = EventLogs extends AsyncIterable<infer E> ? E : never;

/**
 * Reads one execution's event log and hands every event to each observer, in order. Resolves
 * when the execution ends (the engine closes its log on every terminal event).
 *
 * The log is pulled with `next()` and a callback, not `for await`: an async function resumed per
 * event costs one more promise and a turn for each of the run's events (a 1,000-item Map has thousands).
 */
export function observe(logs: EventLogs, observers: readonly ((event: EngineEvent) => void)[]): Promise<void> {
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
