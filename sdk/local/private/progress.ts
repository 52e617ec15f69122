import type { StateMachine } from "aws-local-stepfunctions";
import type { RunEvent } from "../types.ts";
import { listLengthAt, type PreparedFlow } from "./prepare.ts";

type EventLogs = ReturnType<StateMachine["run"]>["eventLogs"];

/**
 * Reads the engine's event log of one execution and sends `map-progress` events: the total
 * when a Map state starts (the length of its items), then done/failed counts per iteration.
 * Resolves when the execution ends (the engine closes its log on every terminal event).
 */
export async function trackMaps(
  logs: EventLogs,
  p: PreparedFlow,
  runId: string,
  emit: (event: RunEvent) => void,
): Promise<void> {
  const counts = new Map<string, { done: number; failed: number; total: number | undefined }>();
  const send = (state: string) => {
    const c = counts.get(state);
    const info = p.maps.get(state);
    if (!c || !info) return;
    emit({ type: "map-progress", flow: p.flow.flowName, runId, state, task: info.task, ...c });
  };
  for await (const event of logs) {
    if (event.type === "StateEntered" && event.state.type === "Map") {
      counts.set(event.state.name, {
        done: 0,
        failed: 0,
        total: listLengthAt(event.state.input, p.maps.get(event.state.name)?.itemsPath),
      });
      send(event.state.name);
    } else if (event.type === "MapIterationSucceeded" || event.type === "MapIterationFailed") {
      const c = counts.get(event.parentState.name);
      if (!c) continue;
      if (event.type === "MapIterationSucceeded") c.done++;
      else c.failed++;
      send(event.parentState.name);
    }
  }
}
