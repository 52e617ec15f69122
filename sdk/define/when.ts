import { UsageError } from "../core/errors.ts";
import { currentBuilder } from "./private/builder.ts";
import { callSite } from "./private/call-site.ts";
import type { ValueSource } from "../graph/types.ts";
import type { Ref } from "./ref.ts";

/** The value a `when` branch gives: its ref's value, `undefined` (no value) when it returns nothing. */
export type BranchValue<X> = X extends Ref<infer T> ? T : undefined;

/**
 * Runs `then` when `condition` is true at run time, else `otherwise`: a Choice state. `condition`
 * must be a boolean task result or boolean parameter. Returns a ref of the value of the branch
 * that ran (a task result the branch returns; `undefined`, no value, for a branch that returns
 * nothing or is missing), usable by later tasks, conditions and as the flow result: each branch's
 * task writes its result where the value is read, so no state is added beyond the Choice. ("No
 * value" is written by a state before the Choice; only a `when` on a parameter that runs before
 * any other state, giving no value on a branch followed by a reader, costs one Pass state.)
 * @example const label = when(big, () => tag("big"), () => tag("small"));
 */
export function when<A>(condition: Ref<boolean>, then: () => A): Ref<BranchValue<A> | undefined>;
export function when<A, B>(condition: Ref<boolean>, then: () => A, otherwise: () => B): Ref<BranchValue<A> | BranchValue<B>>;
export function when(condition: Ref<boolean>, then: () => unknown, otherwise?: () => unknown): Ref<unknown> {
  const b = currentBuilder();
  if (!b) throw new UsageError("`when(...)` was called outside a flow body; call it inside `flow(...)`");
  const site = callSite();
  const source = b.source(condition, `the condition of \`when\` at ${site}`);
  if (source.kind !== "node" && source.kind !== "param") {
    const what =
      source.kind === "const" ? `the constant ${JSON.stringify(source.value)}` : source.kind === "secret" ? "a secret" : `an ${source.kind} holding refs`;
    b.problems.push(
      `the condition of \`when\` at ${site} is ${what}, not a boolean ref; pass a task result or a boolean parameter (use an \`if\` for values known when the flow is defined)`,
    );
  }
  const id = b.idFor(`when_${b.conditions.length + 1}`);
  const values: { then?: ValueSource; else?: ValueSource } = {};
  b.conditions.push({ id, source, scope: [...b.scope], site, values });
  for (const [branch, fn] of [
    ["then", then],
    ["else", otherwise],
  ] as const) {
    if (!fn) continue;
    b.scope.push({ condition: id, branch });
    try {
      const out = fn();
      if (out !== undefined) values[branch] = b.source(out, `the value the \`${branch}\` branch of \`when\` at ${site} returns`);
    } finally {
      b.scope.pop();
    }
  }
  return b.ref({ kind: "node", node: id }, `the value of \`when\` at ${site}`);
}
