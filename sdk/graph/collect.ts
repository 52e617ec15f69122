import type { AnyFlow } from "../define/flow.ts";
import { FlowDefinitionError } from "../core/errors.ts";

/**
 * Every flow reachable from `roots` through subflow calls, children before parents.
 * Throws one `FlowDefinitionError` listing duplicate flow names and subflow cycles.
 */
export function collectFlows(roots: readonly AnyFlow[]): AnyFlow[] {
  const ordered: AnyFlow[] = [];
  const byName = new Map<string, AnyFlow>();
  const problems: string[] = [];
  const state = new Map<AnyFlow, "visiting" | "done">();
  const visit = (f: AnyFlow, path: string[]) => {
    const seen = byName.get(f.flowName);
    if (seen && seen !== f) {
      const problem = `flow name \`${f.flowName}\` is used by ${seen.site} and ${f.site}; give each flow its own name`;
      if (!problems.includes(problem)) problems.push(problem);
      return;
    }
    byName.set(f.flowName, f);
    if (state.get(f) === "done") return;
    if (state.get(f) === "visiting") {
      problems.push(
        `subflows call each other in a cycle: ${[...path, f.flowName].map((n) => `\`${n}\``).join(" -> ")}; break the cycle`,
      );
      return;
    }
    state.set(f, "visiting");
    for (const call of f.graph().calls) if (call.kind === "subflow") visit(call.flow, [...path, f.flowName]);
    state.set(f, "done");
    ordered.push(f);
  };
  for (const root of roots) visit(root, []);
  if (problems.length) throw new FlowDefinitionError("these flows", problems);
  return ordered;
}
