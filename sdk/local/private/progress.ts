import type { RunEvent } from "../types.ts";
import type { EngineEvent } from "./engine-events.ts";
import { listLengthAt, type PreparedFlow } from "./prepare.ts";

/**
 * An observer of one execution's engine events that sends `map-progress` events: the total when
 * a Map state starts (the length of its items), then done/failed counts per iteration.
 */
export function mapProgress(
  p: PreparedFlow,
  runId: string,
  emit: (event: RunEvent) => void,
): (event: EngineEvent) => void {
  const counts = new Map<string, { done: number; failed: number; total: number | undefined }>();
  const send = (state: string) => {
    const c = counts.get(state);
    const info = p.maps.get(state);
    if (!c || !info) return;
    emit({ type: "map-progress", flow: p.flow.flowName, runId, state, task: info.task, tasks: info.tasks, ...c });
  };
  return (event) => {
    if (event.type === "StateEntered" && event.state.type === "Map") {
      counts.set(event.state.name, {
        done: 0,
        failed: 0,
        total: listLengthAt(event.state.input, p.maps.get(event.state.name)?.itemsPath),
      });
      send(event.state.name);
    } else if (event.type === "MapIterationSucceeded" || event.type === "MapIterationFailed") {
      const c = counts.get(event.parentState.name);
      if (!c) return;
      if (event.type === "MapIterationSucceeded") c.done++;
      else c.failed++;
      send(event.parentState.name);
    }
  };
}
