/**
 * Subflow cycles of any length (`a` calls `b`, `b` calls `a`): building a flow's graph builds its
 * children's, and a flow met again while its own graph is being built closes a cycle. Without
 * this, compiling, planning or running such flows recursed until "Maximum call stack size exceeded".
 */
import { FlowDefinitionError } from "../../core/errors.ts";
import type { GraphFlow } from "../../graph/types.ts";

/** Flows whose graph is being built right now, outermost first. */
const building: GraphFlow[] = [];

/** A cycle of subflow calls: `cycle` starts and ends with the same flow. */
export class SubflowCycleError extends FlowDefinitionError {
  constructor(readonly cycle: readonly GraphFlow[]) {
    const names = cycle.map((f) => `\`${f.flowName}\` (${f.site})`).join(" -> ");
    super(`flow \`${cycle[0].flowName}\``, [
      `subflows call each other in a cycle: ${names}; a flow cannot run itself again through its subflows, so break the cycle`,
    ]);
  }
}

/** Builds `flow`'s graph with `build`, throwing `SubflowCycleError` when `flow` is already being built. */
export function guardCycles<T>(flow: GraphFlow, build: () => T): T {
  const at = building.indexOf(flow);
  if (at >= 0) throw new SubflowCycleError([...building.slice(at), flow]);
  building.push(flow);
  try {
    return build();
  } finally {
    building.pop();
  }
}

/**
 * Builds the graph of every subflow `flow` calls, so a cycle through them is found now; their other
 * problems are reported when they are compiled themselves.
 */
export function checkChildren(flow: GraphFlow, children: Iterable<GraphFlow>): void {
  for (const child of new Set(children)) {
    if (child === flow) continue; // self-recursion has its own message
    try {
      child.graph();
    } catch (error) {
      if (error instanceof SubflowCycleError) throw error;
    }
  }
}
