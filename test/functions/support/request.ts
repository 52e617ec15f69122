import type { ArgInput, OutputHint, TaskRequest } from "../../../sdk/core/protocol.ts";

/** A task request with defaults: flow `f`, run `r1`, state named as the task. */
export function request(
  task: string,
  args: readonly ArgInput[] = [],
  more: Partial<Omit<TaskRequest, "task" | "args">> & { out?: readonly OutputHint[] } = {},
): TaskRequest {
  return { flow: "f", run: "r1", state: task, task, args, attempt: 0, ...more };
}
