/**
 * What a local retry reuses: the envelope every task state (by state and map index) and every
 * subflow state returned in a run that did not succeed, kept beside the run's results so
 * `stepflow retry <runId>` can run the flow again and skip what already succeeded there.
 */
import { isAbsolute, resolve } from "node:path";
import type { ResultStore } from "../../../functions/stores/types.ts";
import type { Json } from "../../core/json.ts";
import { runPrefix } from "../../core/protocol.ts";
import type { GraphFlow } from "../../graph/types.ts";

/** What a failed local run leaves for `retryLocal`. */
export interface RetryRecord {
  readonly flow: string;
  /** The module that defines the flow (absolute), from where it was defined. */
  readonly file: string | undefined;
  /** The run's validated parameters. */
  readonly params: Json;
  /** The run this one retried, if it was a retry. */
  readonly retryOf?: string;
  /** What each state that succeeded returned, by `<subflow state>/.../<state>#<map index>`. */
  readonly outputs: Readonly<Record<string, Json>>;
}

/** The results-store key of a run's retry record (`_` cannot start a state name, so it never collides). */
export function retryRecordKey(flow: string, runId: string): string {
  return `${runPrefix(flow, runId)}_retry.json`;
}

/** A call that was not run again because the retried run had its result. */
export interface ReusedCall {
  readonly runId: string;
  readonly state: string;
  readonly mapIndex?: number;
}

/** One session's view of reuse: what it may take from the previous run, and what it returns now. */
export class ReuseBook {
  readonly reused: ReusedCall[] = [];
  // Maps, not objects: a run notes one key per state and item, and an object with thousands of
  // distinct keys added one by one cost more per task than the rest of the bookkeeping.
  private readonly previous: ReadonlyMap<string, Json>;
  /** This run's outputs of Map items by `<subflow state>/.../<state>`, then by map index: no key text built per call. */
  private readonly noted = new Map<string, Map<number | undefined, Json>>();
  /** This run's outputs of states outside a Map, by path: no Map per state (a chain of 500 made 500). */
  private readonly single = new Map<string, Json>();

  constructor(previous: Readonly<Record<string, Json>> = {}) {
    this.previous = new Map(Object.entries(previous));
  }

  /** Outputs of this run (reused ones included), so a retry of a retry reuses them too. */
  get outputs(): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [path, output] of this.single) out[`${path}#`] = output;
    for (const [path, byIndex] of this.noted) for (const [index, output] of byIndex) out[`${path}#${index ?? ""}`] = output;
    return out;
  }

  /** The reuse of one run (the top run at scope `""`, a subflow run at its state's path). */
  scope(prefix: string, runId: string): ReuseScope {
    const { noted, single } = this;
    // The outputs of each state of this run, found by its name as the engine passes it.
    const byState = new Map<string, Map<number | undefined, Json>>();
    const outputsOf = (state: string) => {
      let outputs = byState.get(state);
      if (!outputs) {
        const path = `${prefix}${state}`;
        outputs = noted.get(path);
        if (!outputs) noted.set(path, (outputs = new Map()));
        byState.set(state, outputs);
      }
      return outputs;
    };
    return {
      prefix,
      take: (state, index) => {
        if (this.previous.size === 0) return undefined;
        const prior = this.previous.get(`${prefix}${state}#${index ?? ""}`);
        if (prior === undefined) return undefined;
        if (index === undefined) single.set(`${prefix}${state}`, prior);
        else outputsOf(state).set(index, prior);
        this.reused.push({ runId, state, ...(index === undefined ? {} : { mapIndex: index }) });
        return prior;
      },
      note: (state, index, output) => {
        if (index === undefined) single.set(`${prefix}${state}`, output);
        else outputsOf(state).set(index, output);
      },
    };
  }
}

/** Reuse inside one run. */
export interface ReuseScope {
  /** The path of subflow states leading to this run (`""` at the top). */
  readonly prefix: string;
  /** The previous run's output of this state and index, when it succeeded there. */
  take(state: string, index: number | undefined): Json | undefined;
  /** This run's state returned `output`. */
  note(state: string, index: number | undefined, output: Json): void;
}

/** Writes the retry record of a run that did not succeed. */
export async function saveRetryRecord(
  results: ResultStore,
  flow: GraphFlow,
  runId: string,
  record: Omit<RetryRecord, "flow" | "file">,
): Promise<void> {
  await results.put(retryRecordKey(flow.flowName, runId), { flow: flow.flowName, file: fileOf(flow.site) ?? null, ...record } as Json);
}

/** The module a flow was defined in, from its site (`flows/a.ts:12`), as an absolute path. */
function fileOf(site: string): string | undefined {
  const file = site.replace(/:\d+$/, "");
  if (file === "<unknown>" || file === site) return undefined;
  return isAbsolute(file) ? file : resolve(process.cwd(), file);
}
