import { UsageError } from "../core/errors.ts";
import { currentBuilder } from "./private/builder.ts";
import { callSite } from "./private/call-site.ts";
import type { Ref } from "./ref.ts";

/**
 * Runs `then` when `condition` is true at run time, else `otherwise`: a Choice state.
 * `condition` must be a boolean task result or boolean parameter.
 * @example when(isDip, () => post(secret("slack-webhook"), "There has been a dip"));
 */
export function when(condition: Ref<boolean>, then: () => void, otherwise?: () => void): void {
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
  b.conditions.push({ id, source, scope: [...b.scope], site });
  for (const [branch, fn] of [
    ["then", then],
    ["else", otherwise],
  ] as const) {
    if (!fn) continue;
    b.scope.push({ condition: id, branch });
    try {
      fn();
    } finally {
      b.scope.pop();
    }
  }
}
