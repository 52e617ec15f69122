/**
 * Checks of the values `when` returns, for the ones some reader uses. A branch's value must be a
 * task result computed in that branch: its Task state then writes it where the value is read, so
 * the value costs no state beyond the Choice.
 */
import { isPrefix, leavesOf, sameScope, sourcesOf } from "../../graph/sources.ts";
import type { Call, Condition, ScopeFrame, ValueSource } from "../../graph/types.ts";

/** A reader of values: the sources it reads, and those it reads raw (`.v`), not as an envelope. */
export interface Reader {
  readonly sources: readonly ValueSource[];
  readonly raw: readonly ValueSource[];
  readonly scope: readonly ScopeFrame[];
  /** Thunks: a site is formatted only when there is a problem to report. */
  readonly where: () => string;
  /** Where it reads `raw`, when that is named otherwise. */
  readonly rawWhere?: () => string;
}

/** Problems of the `when` values of `conditions` read by `all` (`readers` of the flow's calls, conditions and result). */
export function whenValueProblems(
  calls: readonly Call[],
  conditions: readonly Condition[],
  all: readonly Reader[],
): string[] {
  if (conditions.length === 0) return [];
  const whens = new Map(conditions.map((c) => [c.id, c]));
  const byId = new Map(calls.map((c) => [c.id, c]));
  const read = new Set<string>();
  const scoped: string[] = [];
  const raw: string[] = [];
  for (const r of all) {
    for (const s of r.sources) {
      const w = s.kind === "node" ? whens.get(s.node) : undefined;
      if (!w) continue;
      read.add(w.id);
      if (!isPrefix(w.scope, r.scope)) {
        scoped.push(`${r.where()} uses the value of \`when\` at ${w.site}, which only runs inside another \`when\` branch; use it inside that branch`);
      }
    }
    for (const s of r.raw) {
      const w = s.kind === "node" ? whens.get(s.node) : undefined;
      const empty = w && (["then", "else"] as const).find((b) => !w.values[b]);
      if (!w || !empty) continue;
      raw.push(
        `${(r.rawWhere ?? r.where)()} uses the value of \`when\` at ${w.site}, which has no value when its \`${empty}\` branch runs (it returns nothing, or is missing); return a task result from that branch too, or pass the value through a task first (\`task("or-default", (v: T | undefined) => v ?? fallback)\`)`,
      );
    }
  }
  return [...scoped, ...[...read].flatMap((id) => branchProblems(whens.get(id)!, byId)), ...raw];
}

/**
 * Every reader of values. A `when` that can give no value stands for `{}` in state data ("no
 * value"): a task argument or the flow result reads that as `undefined`, but a Choice condition, a
 * subflow parameter or a mapped list reads the value itself (`.v`), a JSONPath that fails the state on AWS.
 */
export function readers(calls: readonly Call[], conditions: readonly Condition[], result: ValueSource | undefined): Reader[] {
  return [
    ...calls.map((c) => {
      const sources = sourcesOf(c);
      return {
        sources,
        raw: c.kind === "subflow" ? sources : c.args.filter((a) => a.mode === "mapped").flatMap((a) => leavesOf(a.source)),
        scope: c.scope,
        where: () => `\`${c.state}\` (${c.site})`,
        rawWhere: () => (c.kind === "subflow" ? `subflow call \`${c.state}\` (${c.site})` : `the list \`${c.state}\` maps over (${c.site})`),
      };
    }),
    ...conditions.map((c) => {
      const sources = leavesOf(c.source);
      return { sources, raw: sources, scope: c.scope, where: () => `the condition of \`when\` at ${c.site}` };
    }),
    ...(result ? [{ sources: leavesOf(result), raw: [], scope: [], where: () => "the value the body returns" }] : []),
  ];
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
