import type { GraphFlow } from "./types.ts";
import { FlowDefinitionError } from "../core/errors.ts";

/**
 * Every flow reachable from `roots` through subflow calls, children before parents.
 * Throws one `FlowDefinitionError` listing duplicate flow names; a subflow cycle throws
 * `SubflowCycleError` (a `FlowDefinitionError`) naming the cycle.
 */
export function collectFlows(roots: readonly GraphFlow[]): GraphFlow[] {
  const ordered: GraphFlow[] = [];
  const byName = new Map<string, GraphFlow>();
  const problems: string[] = [];
  const done = new Set<GraphFlow>();
  // A subflow cycle never gets here: building the first graph of one throws `SubflowCycleError`.
  const visit = (f: GraphFlow) => {
    const seen = byName.get(f.flowName);
    if (seen && seen !== f) {
      const problem = `flow name \`${f.flowName}\` is used by ${seen.site} and ${f.site}; give each flow its own name`;
      if (!problems.includes(problem)) problems.push(problem);
      return;
    }
    byName.set(f.flowName, f);
    if (done.has(f)) return;
    done.add(f);
    for (const call of f.graph().calls) if (call.kind === "subflow") visit(call.flow);
    ordered.push(f);
  };
  for (const root of roots) visit(root);
  if (problems.length) throw new FlowDefinitionError("these flows", problems);
  return ordered;
}
