/**
 * Task overrides: `runLocal`'s `taskOverrides` runs the replacement in place of the task's
 * function for that run only (flow and subflows), so concurrent tests never see each other's.
 */
import type { TaskFn } from "../../define/task.ts";
import type { GraphFlow, GraphTask } from "../../graph/types.ts";
import { UsageError } from "../../core/errors.ts";

/** Every task object the flow (and its subflows) calls, by task name. */
export function tasksOf(flow: GraphFlow, into = new Map<string, Set<GraphTask>>(), seen = new Set<GraphFlow>()) {
  if (seen.has(flow)) return into;
  seen.add(flow);
  for (const call of flow.graph().calls) {
    if (call.kind === "task") {
      const set = into.get(call.task.taskName) ?? new Set<GraphTask>();
      into.set(call.task.taskName, set.add(call.task));
    } else {
      tasksOf(call.flow, into, seen);
    }
  }
  return into;
}

/**
 * Checks that every override names a task the flow (or a subflow) calls.
 * @throws UsageError naming an override whose task the flow never calls.
 */
export function checkOverrides(flow: GraphFlow, fns: ReadonlyMap<string, TaskFn>): void {
  if (fns.size === 0) return;
  const tasks = tasksOf(flow);
  const unknown = [...fns.keys()].filter((name) => !tasks.has(name));
  if (unknown.length) {
    const known = [...tasks.keys()].sort().join(", ") || "none";
    throw new UsageError(
      `flow \`${flow.flowName}\` calls no task named ${unknown.map((n) => `\`${n}\``).join(", ")}; override one of its tasks: ${known}`,
    );
  }
}
