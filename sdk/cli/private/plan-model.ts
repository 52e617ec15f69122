/**
 * Static estimates of one flow's cost and limits on AWS, from its compiled (aws target) state
 * machine: states, transitions and history events per run for a given map size, and an upper
 * bound of the inline payload. Subflows count with their own machines (their transitions are
 * billed too; their history is their own).
 *
 * What each state is and does with its result (payload hints, shares, item budgets, where a stored
 * list goes, which states replace the results) comes from the compile index
 * (`CompiledFlow.states`); the definition is walked only for its structure: state types, `Next`,
 * Choice targets, Parallel branches, Map iterations, and the constants Pass state's `Result`.
 */
import { nestedStates, type State, type StateMachineDefinition } from "../../compile/asl.ts";
import { compile } from "../../compile/compile.ts";
import type { CompiledFlow, CompiledState } from "../../compile/types.ts";
import type { GraphFlow } from "../../graph/types.ts";
import { HISTORY_EVENT_LIMIT, HISTORY_EVENTS as EVENTS } from "../../core/history-events.ts";
import { INLINE_LIMIT_BYTES, ITEM_INLINE_LIMIT_BYTES, PAYLOAD_LIMIT_BYTES, resultKey } from "../../core/protocol.ts";
import { newRunId } from "../../core/run-id.ts";

/** Standard workflows: USD per state transition ($0.025 per 1,000). */
const USD_PER_TRANSITION = 0.025 / 1000;
const INLINE_MAP_CONCURRENCY = 40;

/** Envelope and key overhead around an inline value, and the size of a stored reference. */
const ENVELOPE_OVERHEAD = 64;
/** `{"v":` and `}` around an inline value, and the comma after it in a list. */
const LIST_ENTRY_OVERHEAD = 7;
const STORED_REF_BYTES = 160;


export interface FlowPlan {
  readonly flow: string;
  readonly type: "STANDARD" | "EXPRESS";
  readonly states: number;
  /** Transitions of one run, its subflows' included, on the longest path (retries not counted). */
  readonly transitions: number;
  readonly historyEvents: number;
  /** Upper bound of the largest state payload (parameters not counted). */
  readonly payloadBytes: number;
  readonly costPer1000Runs: number;
  readonly warnings: readonly string[];
}

interface Cost {
  transitions: number;
  events: number;
  payload: number;
  /** The largest `payload` from this state on (a replacing state starts a fresh sum). */
  peak?: number;
}

type Index = CompiledFlow["states"];
type TaskFacts = Extract<CompiledState, { kind: "task" }>;
type MapFacts = Extract<CompiledState, { kind: "map" }>;

/** The index entry of Lambda Task state `name`, if it is one. */
function taskAt(index: Index, name: string): TaskFacts | undefined {
  const s = index[name];
  return s?.kind === "task" ? s : undefined;
}

/** True when state `name` replaces the results with its own: what came before it is not in the state data after it. */
function replacesAt(index: Index, name: string | undefined): boolean {
  const s = name === undefined ? undefined : index[name];
  return s !== undefined && s.kind !== "map-switch" && s.replacesResults;
}

/** Estimates `flow` on AWS for Maps of `mapSize` items. */
export function planFlow(flow: GraphFlow, mapSize: number): FlowPlan {
  return plan(flow, mapSize, new Map());
}

/** `planFlow`, with the transitions of subflows already planned in this call (each compiles once). */
function plan(flow: GraphFlow, mapSize: number, planned: Map<GraphFlow, number>): FlowPlan {
  const compiled = compile(flow);
  const index = compiled.states;
  const warnings: string[] = [];
  const children = new Map(
    Object.entries(compiled.states).flatMap(([name, s]) => (s.kind === "subflow" ? [[name, s.flow]] : [])),
  );
  const childTransitions = (state: string) => {
    const child = children.get(state);
    if (!child) return 0;
    let transitions = planned.get(child);
    if (transitions === undefined) {
      transitions = plan(child, mapSize, planned).transitions;
      planned.set(child, transitions);
    }
    return transitions;
  };
  const machine = (d: StateMachineDefinition): Cost => {
    const memo = new Map<string, Cost>();
    const from = (name: string | undefined): Cost => {
      if (!name) return { transitions: 0, events: 0, payload: 0, peak: 0 };
      const cached = memo.get(name);
      if (cached) return cached;
      const s = d.States[name];
      const own = stateCost(name, s);
      const nexts =
        s.Type === "Choice"
          ? (switchedTo(name) ?? [...s.Choices.map((c) => c.Next), s.Default])
          : [spilledTo(name) ?? ("Next" in s ? s.Next : undefined)];
      const rest = nexts.map(from);
      // A state that replaces the results (every earlier one is dead) starts a fresh sum: what
      // came before it is not in the state data after it.
      const carried = nexts.reduce((a, n, i) => a + (replacesAt(index, n) ? 0 : rest[i].payload), 0);
      const payload = own.payload + carried;
      const cost = {
        transitions: own.transitions + Math.max(0, ...rest.map((r) => r.transitions)),
        events: own.events + Math.max(0, ...rest.map((r) => r.events)),
        payload,
        peak: Math.max(payload, ...rest.map((r) => r.peak ?? r.payload)),
      };
      memo.set(name, cost);
      return cost;
    };
    const start = from(d.StartAt);
    return { ...start, payload: start.peak ?? start.payload };
  };
  /** Whether a list's producer stores its list at this map size: longer than its inline Map's item budget. */
  const spills = (t: TaskFacts | undefined): boolean =>
    t?.spill !== undefined && mapSize > (t.maxItems ?? Number.POSITIVE_INFINITY);
  /**
   * Where a list's producer goes at this map size: a list it stores goes, through the state's
   * Catch, to the Distributed Map instead of the inline one (map-switch.ts), as a run does.
   */
  const spilledTo = (name: string): string | undefined => {
    const t = taskAt(index, name);
    return t?.spill === "error" && spills(t) ? t.storedListTo : undefined;
  };
  /**
   * The one way a switched Map's Choice goes at this map size (its producer ran in another branch):
   * the Distributed Map when the producer stores the list, the inline one otherwise, as a run does.
   */
  const switchedTo = (name: string): string[] | undefined => {
    const choice = index[name];
    if (choice?.kind !== "map-switch") return undefined;
    return [spills(taskAt(index, choice.producer)) ? choice.distributed : choice.inline];
  };
  const stateCost = (name: string, s: State): Cost => {
    if (s.Type === "Task") {
      if (children.has(name)) {
        return {
          transitions: 1 + childTransitions(name),
          events: EVENTS.subflow,
          payload: INLINE_LIMIT_BYTES,
        };
      }
      const t = taskAt(index, name);
      // The compiler's share bounds a result (and a list for a Map) below the defaults.
      const share = t?.share?.bytes ?? Number.POSITIVE_INFINITY;
      const payload = Math.min(
        share,
        t?.out.includes("items") && !spills(t)
          ? mapSize * (ITEM_INLINE_LIMIT_BYTES + LIST_ENTRY_OVERHEAD)
          : INLINE_LIMIT_BYTES + ENVELOPE_OVERHEAD,
      );
      return { transitions: 1, events: EVENTS.task, payload };
    }
    if (s.Type === "Parallel") {
      const branches = s.Branches.map(machine);
      return {
        transitions: 1 + branches.reduce((a, b) => a + b.transitions, 0),
        // Branches record no events of their own, only their states'.
        events: EVENTS.parallel + branches.reduce((a, b) => a + b.events, 0),
        payload: branches.reduce((a, b) => a + b.payload, 0),
      };
    }
    if (s.Type === "Map") return mapCost(name, s.ItemProcessor);
    if (s.Type === "Pass")
      return { transitions: 1, events: EVENTS.simple, payload: JSON.stringify(s.Result ?? null).length };
    return { transitions: 1, events: EVENTS.simple, payload: 0 };
  };
  const mapCost = (name: string, processor: StateMachineDefinition): Cost => {
    const iteration = machine(processor);
    const map = mapAt(index, name);
    if (map.distributed)
      return {
        transitions: 1 + mapSize * iteration.transitions,
        events: EVENTS.distributed,
        payload: STORED_REF_BYTES,
      };
    const events = EVENTS.map + mapSize * (EVENTS.iteration + iteration.events);
    const rows = mapSize * rowBytes(processor, index, mapSize, flow.flowName);
    const concurrency = map.maxConcurrency ?? 0;
    if (concurrency > INLINE_MAP_CONCURRENCY || (concurrency === 0 && mapSize > INLINE_MAP_CONCURRENCY)) {
      warnings.push(
        `inline Map \`${name}\` asks for ${concurrency === 0 ? "unlimited" : concurrency} concurrent items, but an inline Map runs at most ${INLINE_MAP_CONCURRENCY}; declare its task \`large: true\` (Distributed Map, up to 10,000) for more`,
      );
    }
    if (rows > PAYLOAD_LIMIT_BYTES) {
      warnings.push(
        `inline Map \`${name}\` output can reach ${Math.round(rows / 1024).toLocaleString("en-US")} KB at ${mapSize.toLocaleString("en-US")} items (limit 256 KB); declare its task \`large: true\` so the Map reads items from and writes results to S3`,
      );
    }
    return { transitions: 1 + mapSize * iteration.transitions, events, payload: rows };
  };
  const total = machine(compiled.definition);
  const historyEvents = total.events + EVENTS.execution;
  if (historyEvents > HISTORY_EVENT_LIMIT) {
    warnings.push(
      `one run records about ${historyEvents.toLocaleString("en-US")} history events at map size ${mapSize.toLocaleString("en-US")} (limit 25,000 per execution); declare the mapped task \`large: true\` so each item runs in a child execution with its own history`,
    );
  }
  if (total.payload > PAYLOAD_LIMIT_BYTES && !warnings.some((w) => w.includes("256 KB"))) {
    warnings.push(
      `the state data can reach ${Math.round(total.payload / 1024)} KB (limit 256 KB); declare large-result tasks \`large: true\` or return smaller values`,
    );
  }
  return {
    flow: flow.flowName,
    type: flow.options.type,
    states: [...nestedStates(compiled.definition)].length,
    transitions: total.transitions,
    historyEvents,
    payloadBytes: total.payload,
    costPer1000Runs: total.transitions * USD_PER_TRANSITION * 1000,
    warnings,
  };
}

/**
 * The largest Map row: `{"<key>":{"v":<value>},...}` plus the comma between rows. A column the
 * compiler gave a `share` holds at most its share of the budget at `mapSize` items, or a stored
 * result's reference when that is larger; other columns hold the largest inline item.
 */
function rowBytes(d: StateMachineDefinition, index: Index, mapSize: number, flow: string): number {
  const columns: { key: string; cell: number; shared: boolean }[] = [];
  const walk = (m: StateMachineDefinition) => {
    for (const [name, s] of Object.entries(m.States)) {
      if (s.Type === "Parallel") s.Branches.forEach(walk);
      const task = taskAt(index, name);
      const key = task?.resultKey;
      if (!key) continue;
      const share = task.share;
      if (!share) {
        columns.push({ key, cell: ITEM_INLINE_LIMIT_BYTES + LIST_ENTRY_OVERHEAD, shared: false });
        continue;
      }
      // `{"v":...}` within the share, or a reference when the result is stored; then the comma.
      const inline = Math.min(ITEM_INLINE_LIMIT_BYTES + 6, Math.floor(share.bytes / mapSize) - (share.overhead ?? 0));
      columns.push({ key, cell: Math.max(inline, storedRefBytes(flow, name, mapSize)) + 1, shared: true });
    }
  };
  walk(d);
  // Rows keep only the shared columns when the compiler marked them (it dropped the others).
  const kept = columns.some((c) => c.shared) ? columns.filter((c) => c.shared) : columns;
  return 2 + kept.reduce((a, c) => a + c.key.length + 3 + c.cell, 0);
}

/** The index entry of Map state `name`: every Map state the compiler emits has one. */
function mapAt(index: Index, name: string): MapFacts {
  const s = index[name];
  if (s?.kind === "map") return s;
  throw new Error(`Map state \`${name}\` is not in the compile index; this is a stepflow bug, please report it`);
}

/** `{"s3":"runs/<flow>/<runId>/<state>/<index>.json","bytes":<n>}` at its longest. */
function storedRefBytes(flow: string, state: string, mapSize: number): number {
  const key = resultKey(flow, newRunId(flow), state, mapSize - 1);
  return JSON.stringify({ s3: key, bytes: PAYLOAD_LIMIT_BYTES }).length;
}
