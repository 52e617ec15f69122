import { sameScope, sameSource } from "../../graph/sources.ts";
import { leftOut } from "../../graph/left-out.ts";
import type {
  ArgBinding,
  Call,
  Condition,
  GraphFlow,
  MapGroup,
  ScopeFrame,
  ValueSource,
} from "../../graph/types.ts";
import { isRef, makeRef, type Ref } from "../ref.ts";
import { holdsRef, jsonProblem } from "./json.ts";
import type { Json } from "../../core/json.ts";

/** A map group while the body runs: calls join it until the graph is built. */
export interface GroupDraft {
  readonly id: string;
  readonly lists: MapGroup["lists"];
  readonly large: boolean;
  readonly maxConcurrency: number | undefined;
  readonly members: string[];
}

/** Records what a flow body does while it runs at definition time. */
export class GraphBuilder {
  readonly calls: Call[] = [];
  readonly conditions: Condition[] = [];
  readonly groups: GroupDraft[] = [];
  readonly problems: string[] = [];
  readonly scope: ScopeFrame[] = [];
  private readonly stateCounts = new Map<string, number>();
  private readonly ids = new Set<string>();
  /** Containers being turned into sources, to catch a circular one. */
  private readonly open = new Set<object>();
  /** Task names seen, with the task object and site, to catch two tasks sharing a name. */
  readonly taskNames = new Map<string, { task: object; site: string }>();
  /** Task objects whose option bounds were already reported in this body. */
  readonly checkedTasks = new Set<object>();

  /** Lookups over `calls` and `groups`, caught up on use (both are appended to from outside). */
  private readonly index = {
    calls: new Map<string, Call>(),
    groups: new Map<string, GroupDraft>(),
    leads: new Map<string, Call>(),
    seenCalls: 0,
    seenGroups: 0,
  };

  constructor(readonly flowName: string) {}

  /** The lookups, caught up with calls and groups appended since the last use: O(1) per call. */
  private indexed() {
    const x = this.index;
    for (; x.seenCalls < this.calls.length; x.seenCalls++) {
      const c = this.calls[x.seenCalls];
      x.calls.set(c.id, c);
      if (c.kind === "task" && c.map && !x.leads.has(c.map.group)) x.leads.set(c.map.group, c);
    }
    for (; x.seenGroups < this.groups.length; x.seenGroups++) {
      const g = this.groups[x.seenGroups];
      if (!x.groups.has(g.id)) x.groups.set(g.id, g);
    }
    return x;
  }

  /** A readable, unique state name for a call of `name`. */
  stateName(name: string): string {
    const n = (this.stateCounts.get(name) ?? 0) + 1;
    this.stateCounts.set(name, n);
    return n === 1 ? name : `${name}-${n}`;
  }

  /** A unique JSONPath-safe key derived from a state name. */
  idFor(state: string): string {
    const base = state.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(\d)/, "_$1");
    let id = base;
    for (let i = 2; this.ids.has(id); i++) id = `${base}_${i}`;
    this.ids.add(id);
    return id;
  }

  /** A ref made in this body; `label` names it in errors ("the result of `get-data`"). */
  ref<T>(source: ValueSource, label?: string): Ref<T> {
    return makeRef<T>(source, this, label);
  }

  /** The source of one argument; records a problem when it cannot cross a state boundary. */
  source(value: unknown, where: string): ValueSource {
    if (isRef(value)) {
      if (value.owner !== this && value.source.kind !== "secret") {
        this.problems.push(
          `${where} uses a value from another flow's body; pass it to \`${this.flowName}\` as a parameter or call the other flow as a subflow`,
        );
        return { kind: "const", value: null };
      }
      return value.source;
    }
    if (holdsRef(value)) return this.container(value as object, where);
    const problem = jsonProblem(value);
    if (problem) {
      this.problems.push(
        `${where} is ${problem}; pass JSON values (strings, numbers, booleans, null, arrays, plain objects)`,
      );
      return { kind: "const", value: null };
    }
    return { kind: "const", value: value as Json };
  }

  /** An object or array holding refs: a source per field or item, resolved when the flow runs. */
  private container(value: object, where: string): ValueSource {
    if (this.open.has(value)) {
      this.problems.push(`${where} is a circular structure, which JSON cannot represent; pass a tree of values`);
      return { kind: "const", value: null };
    }
    this.open.add(value);
    try {
      if (Array.isArray(value)) {
        return { kind: "array", items: value.map((v, i) => this.source(v, `${where} at \`[${i}]\``)) };
      }
      const fields: Record<string, ValueSource> = {};
      for (const [k, v] of Object.entries(value)) fields[k] = this.source(v, `${where} at \`${k}\``);
      return { kind: "object", fields };
    } finally {
      this.open.delete(value);
    }
  }

  /** Records a call of flow `child` inside this body. */
  subflow(child: GraphFlow, params: Record<string, unknown>, site: string): Ref<unknown> {
    const state = this.stateName(child.flowName);
    const id = this.idFor(state);
    const args: Record<string, ValueSource> = {};
    const known = child.schema ? Object.keys(child.schema.shape) : [];
    for (const [key, value] of Object.entries(params)) {
      if (!known.includes(key)) {
        this.problems.push(
          `subflow \`${child.flowName}\` called at ${site} has no parameter \`${key}\`; it takes ${known.map((k) => `\`${k}\``).join(", ") || "none"}`,
        );
      }
      args[key] = this.source(value, `parameter \`${key}\` of subflow \`${state}\``);
    }
    for (const [key, type] of Object.entries(child.schema?.shape ?? {})) {
      if (key in params) continue;
      if (leftOut(type) === undefined) {
        this.problems.push(
          `subflow \`${child.flowName}\` called at ${site} needs parameter \`${key}\`, which has no default; pass it`,
        );
      }
    }
    this.calls.push({ kind: "subflow", id, state, flow: child, args, scope: [...this.scope], site });
    return this.ref({ kind: "node", node: id }, `the result of subflow \`${state}\``);
  }

  /**
   * The group a mapped call joins: every mapped argument is an item of that group (a member's
   * result, or one of the lists the group iterates, as in Prefect's `b.map(xs, a.map(xs))`).
   */
  fusableGroup(args: readonly ArgBinding[]): GroupDraft | undefined {
    const index = this.indexed();
    const groupOf = (s: ValueSource) => {
      if (s.kind !== "node") return undefined;
      const call = index.calls.get(s.node);
      return call?.kind === "task" ? call.map?.group : undefined;
    };
    const mapped = args.filter((a) => a.mode === "mapped");
    const group = mapped.map((a) => groupOf(a.source)).find((g) => g !== undefined);
    const draft = group === undefined ? undefined : index.groups.get(group);
    const lists = draft?.lists ?? [];
    const isItem = (s: ValueSource) => groupOf(s) === group || lists.some((l) => sameSource(l.source, s));
    if (!group || !mapped.every((a) => isItem(a.source))) return undefined;
    // A whole list of the group passed to a member would need the map to have finished.
    const wholeUse = args.some((a) => a.mode !== "mapped" && groupOf(a.source) === group);
    const lead = group === undefined ? undefined : index.leads.get(group);
    const inLeadScope = lead !== undefined && sameScope(lead.scope, this.scope);
    return wholeUse || !inLeadScope ? undefined : draft;
  }
}

let current: GraphBuilder | undefined;

/** The builder of the flow body running now, if any. */
export function currentBuilder(): GraphBuilder | undefined {
  return current;
}

/** Runs `fn` with `builder` as the current flow body, restoring the previous one after. */
export function withBuilder<T>(builder: GraphBuilder, fn: () => T): T {
  const previous = current;
  current = builder;
  try {
    return fn();
  } finally {
    current = previous;
  }
}
