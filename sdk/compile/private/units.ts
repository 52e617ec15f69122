/**
 * Groups a flow graph's calls into units per `when` scope: a plain call, a map group (one Map
 * state), or a condition with its branches. Units are what the scheduler orders.
 */

import { sameScope, sourcesOf } from "../../graph/sources.ts";
import type { Schedule } from "./sp-schedule.ts";
import type {
  Call,
  Condition,
  FlowGraph,
  MapGroup,
  ScopeFrame,
  TaskCall,
  ValueSource,
} from "../../graph/types.ts";

export type Unit =
  | { readonly kind: "call"; readonly id: string; readonly call: Call }
  | {
      readonly kind: "map";
      readonly id: string;
      readonly group: MapGroup;
      readonly members: readonly TaskCall[];
    }
  | {
      readonly kind: "when";
      readonly id: string;
      readonly condition: Condition;
      readonly then: readonly Unit[];
      readonly otherwise: readonly Unit[];
    };

/** Lookups over a graph shared by the compiler's passes. */
export class GraphIndex {
  readonly calls: Map<string, Call>;
  /** Each `when` by id, which is also the node of the value it returns. */
  readonly whens: Map<string, Condition>;
  readonly groups: Map<string, MapGroup>;
  /** Position of each call in call order. */
  private readonly order: Map<string, number>;
  /** Per list of units (as passed to `deps`): which unit produces each node. */
  private readonly producers = new WeakMap<readonly Unit[], Map<string, number>>();

  constructor(readonly graph: FlowGraph) {
    this.calls = new Map(graph.calls.map((c) => [c.id, c]));
    this.whens = new Map(graph.conditions.map((c) => [c.id, c]));
    this.groups = new Map(graph.groups.map((g) => [g.id, g]));
    this.order = new Map(graph.calls.map((c, i) => [c.id, i]));
  }

  /** The map group a node belongs to, if it is a mapped call. */
  groupOf(node: string): MapGroup | undefined {
    const call = this.calls.get(node);
    return call?.kind === "task" && call.map ? this.groups.get(call.map.group) : undefined;
  }

  /** The units of one scope, in call order. */
  units(scope: readonly ScopeFrame[]): Unit[] {
    type Entry = { order: number; unit: Unit };
    const entries: Entry[] = [];
    const order = (id: string) => this.order.get(id) ?? -1;
    for (const call of this.graph.calls) {
      if (!sameScope(call.scope, scope)) continue;
      if (call.kind === "task" && call.map) {
        if (!call.map.lead) continue;
        const group = this.groups.get(call.map.group)!;
        const members = group.members.map((m) => this.calls.get(m) as TaskCall);
        entries.push({ order: order(call.id), unit: { kind: "map", id: group.id, group, members } });
      } else {
        entries.push({ order: order(call.id), unit: { kind: "call", id: call.id, call } });
      }
    }
    for (const condition of this.graph.conditions) {
      if (!sameScope(condition.scope, scope)) continue;
      const inner = (branch: "then" | "else") => this.units([...scope, { condition: condition.id, branch }]);
      const then = inner("then");
      const otherwise = inner("else");
      const first = [...then, ...otherwise].map((u) => firstOrder(u, order));
      // A condition runs where its first branch call was written (after its condition source).
      entries.push({
        order: Math.min(Number.MAX_SAFE_INTEGER, ...first),
        unit: { kind: "when", id: condition.id, condition, then, otherwise },
      });
    }
    return entries.sort((a, b) => a.order - b.order).map((e) => e.unit);
  }

  /** Node ids produced inside a unit. */
  produced(unit: Unit): string[] {
    if (unit.kind === "call") return [unit.id];
    if (unit.kind === "map") return unit.members.map((m) => m.id);
    return [unit.id, ...[...unit.then, ...unit.otherwise].flatMap((u) => this.produced(u))];
  }

  /** Value sources a unit reads (including the condition and branch contents). */
  reads(unit: Unit): ValueSource[] {
    if (unit.kind === "call") return sourcesOf(unit.call);
    if (unit.kind === "map") return unit.members.flatMap((m) => sourcesOf(m));
    return [unit.condition.source, ...[...unit.then, ...unit.otherwise].flatMap((u) => this.reads(u))];
  }

  /** The units among `units` that `unit` must wait for. */
  deps(unit: Unit, units: readonly Unit[]): Unit[] {
    let producers = this.producers.get(units);
    if (!producers) {
      producers = new Map(units.flatMap((u, i) => this.produced(u).map((p) => [p, i] as const)));
      this.producers.set(units, producers);
    }
    const found = new Set<number>();
    for (const s of this.reads(unit)) {
      const at = s.kind === "node" ? producers.get(s.node) : undefined;
      if (at !== undefined && units[at] !== unit) found.add(at);
    }
    // In the order of `units`, as a filter over them would give.
    return [...found].sort((a, b) => a - b).map((i) => units[i]);
  }

  /** Number of task calls in a unit (its weight for scheduling). */
  weight(unit: Unit): number {
    if (unit.kind !== "when") return unit.kind === "map" ? unit.members.length : 1;
    const side = (us: readonly Unit[]) => us.reduce((n, u) => n + this.weight(u), 0);
    return 0.2 + Math.max(side(unit.then), side(unit.otherwise));
  }
}

function firstOrder(unit: Unit, order: (id: string) => number): number {
  if (unit.kind === "call") return order(unit.id);
  if (unit.kind === "map") return order(unit.members[0].id);
  return Math.min(
    Number.MAX_SAFE_INTEGER,
    ...[...unit.then, ...unit.otherwise].map((u) => firstOrder(u, order)),
  );
}

/** The ids a schedule of units emits: its calls and `when`s, nested ones too. */
export function leafIds(s: Schedule<Unit>): string[] {
  if (s.kind === "node") return unitLeaves(s.node);
  return (s.kind === "seq" ? s.items : s.branches).flatMap(leafIds);
}

/** The ids a unit emits: its calls (a Map's members) and `when`s, nested ones too. */
export function unitLeaves(u: Unit): string[] {
  if (u.kind === "call") return [u.id];
  if (u.kind === "map") return u.members.map((m) => m.id);
  return [u.id, ...[...u.then, ...u.otherwise].flatMap(unitLeaves)];
}
