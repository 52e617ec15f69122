/**
 * Checks of the values `when` returns, for the ones some reader uses. A branch's value must be a
 * task result computed in that branch: its Task state then writes it where the value is read, so
 * the value costs no state beyond the Choice.
 */
import { isPrefix, leavesOf, sameScope, sourcesOf } from "../../graph/sources.ts";
import type { Call, Condition, ScopeFrame, ValueSource } from "../../graph/types.ts";

/** Problems of the `when` values read by `calls`, `conditions` or the flow's `result`. */
export function whenValueProblems(
  calls: readonly Call[],
  conditions: readonly Condition[],
  result: ValueSource | undefined,
): string[] {
  const whens = new Map(conditions.map((c) => [c.id, c]));
  const byId = new Map(calls.map((c) => [c.id, c]));
  const read = new Set<string>();
  if (conditions.length === 0) return [];
  // `where` is a thunk: a site is formatted only when there is a problem to report.
  const readers: { sources: ValueSource[]; scope: readonly ScopeFrame[]; where: () => string }[] = [
    ...calls.map((c) => ({ sources: sourcesOf(c), scope: c.scope, where: () => `\`${c.state}\` (${c.site})` })),
    ...conditions.map((c) => ({ sources: leavesOf(c.source), scope: c.scope, where: () => `the condition of \`when\` at ${c.site}` })),
    ...(result ? [{ sources: leavesOf(result), scope: [], where: () => "the value the body returns" }] : []),
  ];
  const problems: string[] = [];
  for (const r of readers) {
    for (const s of r.sources) {
      const w = s.kind === "node" ? whens.get(s.node) : undefined;
      if (!w) continue;
      read.add(w.id);
      if (!isPrefix(w.scope, r.scope)) {
        problems.push(`${r.where()} uses the value of \`when\` at ${w.site}, which only runs inside another \`when\` branch; use it inside that branch`);
      }
    }
  }
  for (const id of read) problems.push(...branchProblems(whens.get(id)!, byId));
  problems.push(...rawReadProblems(calls, conditions, whens));
  return problems;
}

/**
 * A `when` that can give no value stands for `{}` in state data ("no value"): a task argument or
 * the flow result reads that as `undefined`, but a Choice condition, a subflow parameter or a
 * mapped list reads the value itself (`.v`), a JSONPath that fails the state on AWS.
 */
function rawReadProblems(calls: readonly Call[], conditions: readonly Condition[], whens: ReadonlyMap<string, Condition>): string[] {
  const raw: { sources: ValueSource[]; where: () => string }[] = [
    ...conditions.map((c) => ({ sources: leavesOf(c.source), where: () => `the condition of \`when\` at ${c.site}` })),
    ...calls.map((c) => ({
      sources: c.kind === "subflow" ? sourcesOf(c) : c.args.filter((a) => a.mode === "mapped").flatMap((a) => leavesOf(a.source)),
      where: () => (c.kind === "subflow" ? `subflow call \`${c.state}\` (${c.site})` : `the list \`${c.state}\` maps over (${c.site})`),
    })),
  ];
  const problems: string[] = [];
  for (const r of raw) {
    for (const s of r.sources) {
      const w = s.kind === "node" ? whens.get(s.node) : undefined;
      const empty = w && (["then", "else"] as const).find((b) => !w.values[b]);
      if (!w || !empty) continue;
      problems.push(
        `${r.where()} uses the value of \`when\` at ${w.site}, which has no value when its \`${empty}\` branch runs (it returns nothing, or is missing); return a task result from that branch too, or pass the value through a task first (\`task("or-default", (v: T | undefined) => v ?? fallback)\`)`,
      );
    }
  }
  return problems;
}

function branchProblems(w: Condition, byId: ReadonlyMap<string, Call>): string[] {
  const out: string[] = [];
  for (const branch of ["then", "else"] as const) {
    const value = w.values[branch];
    if (!value) continue;
    const call = value.kind === "node" ? byId.get(value.node) : undefined;
    const here = [...w.scope, { condition: w.id, branch }];
    if (call?.kind === "task" && !call.map && sameScope(call.scope, here)) continue;
    const what = !call ? "a value it did not compute" : call.kind === "subflow" ? "a subflow's result" : call.map ? "the results of a `.map`" : isPrefix(call.scope, here) ? "a result computed before the `when`" : "a result computed in a nested `when`";
    out.push(
      `the \`${branch}\` branch of \`when\` at ${w.site} returns ${what}, but its value is used; return the result of a task called in that branch (pass other values through a task there, e.g. \`task("pick", (x: T) => x)\`)`,
    );
  }
  return out;
}
