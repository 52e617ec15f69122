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
