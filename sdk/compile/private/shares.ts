/**
 * Inline budgets: where the values that are all still needed could together exceed the state data
 * budget (many parallel results feeding one task, long-lived results, a Map's rows), each producer
 * gets its share (`TaskRequest.share`); a result over its share is stored and travels as a reference.
 */
import { INLINE_LIMIT_BYTES, STATE_BUDGET_BYTES } from "../../core/protocol.ts";
import type { MapState, PayloadTemplate, TaskState } from "../asl.ts";
import type { Liveness } from "./liveness.ts";

/** What the emitter registered of an inline Map: its state, kept columns and items path. */
export interface MapRecord {
  readonly state: MapState;
  /** Member ids whose results each row keeps (those read after the Map). */
  readonly columns: readonly string[];
  /** JSONPath of the list the Map iterates, in the Map's input. */
  readonly itemsPath: string;
  /** The call whose result (an `items` list) the Map iterates, if a task produced it. */
  readonly producer?: string;
}

/** Bytes `{"<key>":` ... `},` add around an envelope in state data. */
const keyOverhead = (key: string) => key.length + 6;

/** Gives each producer its share of the state data budget where the defaults could overflow it. */
export function assignShares(
  liveness: Liveness,
  tasks: ReadonlyMap<string, TaskState>,
  maps: ReadonlyMap<string, MapRecord>,
): void {
  for (const [key, together] of liveness.presence) {
    const bytes = Math.floor(STATE_BUDGET_BYTES / together);
    const task = tasks.get(key);
    const params = task?.Parameters;
    if (params) {
      const items = ((params.out as string[] | undefined) ?? []).includes("items");
      // `{"v":...}` plus the key: a result at the default limit still fits, so leave it be.
      if (items || bytes < INLINE_LIMIT_BYTES + 6 + keyOverhead(key))
        params.share = { bytes, overhead: keyOverhead(key) };
    }
    const map = maps.get(key);
    if (map && map.columns.length) shareRows(map, bytes, tasks);
  }
}

/** Each kept column of a Map's rows gets an equal part of the Map's share, divided by the item count. */
function shareRows(map: MapRecord, bytes: number, tasks: ReadonlyMap<string, TaskState>): void {
  const per = Math.floor(bytes / map.columns.length);
  for (const column of map.columns) {
    const params = tasks.get(column)?.Parameters;
    if (params) params.share = { bytes: per, "of.$": "$.count", overhead: keyOverhead(column) };
  }
  (map.state.ItemSelector as PayloadTemplate)["count.$"] = `States.ArrayLength(${map.itemsPath})`;
}
