/**
 * Finds the state whose failure failed a run, from the execution's history (Standard
 * workflows only; Express executions have no history API).
 */
import type { SFNClient } from "@aws-sdk/client-sfn";

/** One history event, the fields read here. */
interface HistoryEvent {
  readonly id?: number;
  readonly previousEventId?: number;
  readonly type?: string;
  readonly stateEnteredEventDetails?: { readonly name?: string };
}

const FAILED = new Set([
  "TaskFailed",
  "TaskTimedOut",
  "LambdaFunctionFailed",
  "LambdaFunctionTimedOut",
  "ExecutionFailed",
]);

/**
 * The name of the Task state that failed last: walks back from the newest failure event along
 * `previousEventId` to the `TaskStateEntered` event that names the state.
 */
export async function failedState(client: SFNClient, executionArn: string): Promise<string | undefined> {
  const { GetExecutionHistoryCommand } = await import("@aws-sdk/client-sfn");
  const out = await client.send(
    new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 200 }),
  );
  const events = (out.events ?? []) as HistoryEvent[];
  const byId = new Map(events.map((e) => [e.id, e]));
  const failure = events.find((e) => e.type !== "ExecutionFailed" && FAILED.has(e.type ?? ""));
  for (let e = failure; e; e = byId.get(e.previousEventId)) {
    if (e.type === "TaskStateEntered") return e.stateEnteredEventDetails?.name;
  }
  return undefined;
}
