/**
 * How many items an inline Map may take, from the history events each item costs: a Standard
 * execution stops at 25,000 events, and an item of a 5-task chain costs 27 where one of a single
 * task costs 7. Retries count at their worst: every retrier of every Task state used up (a Lambda
 * Task's own `retries` and the retries of Lambda service errors), each retry 3 events more. The
 * producer of each list gets its budget (`TaskRequest.maxItems`): a longer list runs as a
 * Distributed Map (map-switch.ts), or fails before the Map starts, with the fix.
 */
import { HISTORY_EVENT_LIMIT, HISTORY_EVENTS as EVENTS } from "../../core/history-events.ts";
import type { Retrier, State, StateMachineDefinition, TaskState } from "../asl.ts";
import type { MapRecord } from "./shares.ts";

/** Sets `maxItems` on the producer of each inline Map's list. */
export function assignItemBudgets(
  definition: StateMachineDefinition,
  tasks: ReadonlyMap<string, TaskState>,
  maps: ReadonlyMap<string, MapRecord>,
): void {
  const fed = [...maps.values()].filter((m) => m.producer && tasks.get(m.producer)?.Parameters);
  if (!fed.length) return;
  // Every state outside the Maps' iterations, counted once (both sides of a Choice, conservatively).
  const fixed = EVENTS.execution + events(definition, false);
  const perMap = Math.max(0, HISTORY_EVENT_LIMIT - fixed) / fed.length;
  for (const map of fed) {
    const perItem = EVENTS.iteration + events(map.state.ItemProcessor, true);
    tasks.get(map.producer!)!.Parameters!.maxItems = Math.max(1, Math.floor(perMap / perItem));
  }
}

/** History events of one pass through `d`; inline Maps count their own four unless `deep`. */
function events(d: StateMachineDefinition, deep: boolean): number {
  return Object.values(d.States).reduce((sum, s) => sum + stateEvents(s, deep), 0);
}

function stateEvents(s: State, deep: boolean): number {
  switch (s.Type) {
    case "Task":
      return s.Resource.includes(":states:startExecution")
        ? EVENTS.subflow + retriesAtMost(s.Retry) * (EVENTS.retry + EVENTS.subflow - EVENTS.task)
        : EVENTS.task + retriesAtMost(s.Retry) * EVENTS.retry;
    case "Parallel":
      return EVENTS.parallel + s.Branches.reduce((a, b) => a + events(b, deep), 0);
    case "Map":
      if (s.ItemProcessor.ProcessorConfig?.Mode === "DISTRIBUTED") return EVENTS.distributed;
      return EVENTS.map + (deep ? EVENTS.iteration + events(s.ItemProcessor, deep) : 0);
    default:
      return EVENTS.simple;
  }
}

/** Retries of a state at most: each retrier counts its own attempts (3 when `MaxAttempts` is not set). */
function retriesAtMost(retry: readonly Retrier[] | undefined): number {
  return (retry ?? []).reduce((a, r) => a + (r.MaxAttempts ?? 3), 0);
}
