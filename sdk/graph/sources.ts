/**
 * Small questions about a flow graph's value sources and `when` scopes, shared by the graph
 * builder (sdk/define) and the compiler (sdk/compile).
 */
import type { Call, LeafSource, ScopeFrame, ValueSource } from "./types.ts";

/**
 * Every leaf value source a call reads: a task's arguments in order, or a subflow's parameters,
 * with the refs inside objects and arrays passed to it.
 * @example sourcesOf(call).filter((s) => s.kind === "node")
 */
export function sourcesOf(call: Call): LeafSource[] {
  const top = call.kind === "task" ? call.args.map((a) => a.source) : Object.values(call.args);
  return top.flatMap(leavesOf);
}

/** The leaf sources of `source`: itself, or every source nested in an object or array. */
export function leavesOf(source: ValueSource): LeafSource[] {
  if (source.kind === "object") return Object.values(source.fields).flatMap(leavesOf);
  if (source.kind === "array") return source.items.flatMap(leavesOf);
  return [source];
}

/** True when two sources are the same value (same node, param, secret or equal constant). */
export function sameSource(a: ValueSource, b: ValueSource): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * True when `outer` is a prefix of `inner`: whatever runs in `inner` also sits in every `when`
 * branch of `outer`, so it can see values produced in `outer`.
 */
export function isPrefix(outer: readonly ScopeFrame[], inner: readonly ScopeFrame[]): boolean {
  return (
    outer.length <= inner.length &&
    outer.every((f, i) => f.condition === inner[i].condition && f.branch === inner[i].branch)
  );
}

/** True when two scopes are the same `when` branches, frame by frame. */
export function sameScope(a: readonly ScopeFrame[], b: readonly ScopeFrame[]): boolean {
  return a.length === b.length && isPrefix(a, b);
}
