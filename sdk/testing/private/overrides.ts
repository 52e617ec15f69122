/**
 * Task overrides: while a test run runs, the overridden tasks' `fn` is replaced, on every task
 * object of that name in the flow and its subflows (copies made with `.with()` included).
 * Runs with overrides take turns, so two tests never see each other's replacements.
 */
import type { AnyFlow } from "../../define/flow.ts";
import type { AnyTask, TaskFn } from "../../define/task.ts";
import { UsageError } from "../../errors.ts";

let queue: Promise<unknown> = Promise.resolve();

/** Every task object the flow (and its subflows) calls, by task name. */
export function tasksOf(flow: AnyFlow, into = new Map<string, Set<AnyTask>>(), seen = new Set<AnyFlow>()) {
  if (seen.has(flow)) return into;
  seen.add(flow);
  for (const call of flow.graph().calls) {
    if (call.kind === "task") {
      const set = into.get(call.task.taskName) ?? new Set<AnyTask>();
      into.set(call.task.taskName, set.add(call.task));
    } else {
      tasksOf(call.flow, into, seen);
    }
  }
  return into;
}

/**
 * Runs `body` with the tasks named in `fns` replaced, then restores them.
 * @throws UsageError naming an override whose task the flow never calls.
 */
export async function withOverrides<T>(
  flow: AnyFlow,
  fns: ReadonlyMap<string, TaskFn>,
  body: () => Promise<T>,
): Promise<T> {
  if (fns.size === 0) return body();
  const tasks = tasksOf(flow);
  const unknown = [...fns.keys()].filter((name) => !tasks.has(name));
  if (unknown.length) {
    const known = [...tasks.keys()].sort().join(", ") || "none";
    throw new UsageError(
      `flow \`${flow.flowName}\` calls no task named ${unknown.map((n) => `\`${n}\``).join(", ")}; override one of its tasks: ${known}`,
    );
  }
  const turn = queue.then(async () => {
    const saved: [AnyTask, TaskFn][] = [];
    for (const [name, fn] of fns) {
      for (const t of tasks.get(name) ?? []) {
        saved.push([t, t.fn]);
        Object.defineProperty(t, "fn", { value: fn, writable: true, configurable: true, enumerable: true });
      }
    }
    try {
      return await body();
    } finally {
      for (const [t, fn] of saved.reverse()) {
        Object.defineProperty(t, "fn", { value: fn, writable: true, configurable: true, enumerable: true });
      }
    }
  });
  queue = turn.catch(() => undefined);
  return turn;
}
