/**
 * The AWS bounds a flow's options and shape must respect: its `timeout`, and what an Express
 * workflow cannot do (wait for a child execution, run a Distributed Map, run past five minutes).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html
 */
import type { Call, MapGroup } from "../../graph/types.ts";
import { ASL_MAX_INTEGER, EXPRESS_MAX_SECONDS, STANDARD_MAX_SECONDS } from "../../core/limits.ts";
import type { ResolvedFlowOptions } from "../../graph/options.ts";

/** Every AWS bound the flow breaks, each with its fix. */
export function flowBoundProblems(
  options: ResolvedFlowOptions,
  calls: readonly Call[],
  groups: readonly Pick<MapGroup, "id" | "large" | "members">[],
): string[] {
  const problems: string[] = [];
  const express = options.type === "EXPRESS";
  const max = express ? EXPRESS_MAX_SECONDS : Math.min(STANDARD_MAX_SECONDS, ASL_MAX_INTEGER);
  const timeout = options.timeoutSeconds;
  if (timeout !== undefined && (timeout < 1 || Math.ceil(timeout) > max)) {
    problems.push(
      `its \`timeout\` is ${timeout} s; a ${options.type} workflow accepts 1 to ${max.toLocaleString("en-US")} s${express ? " (an Express execution lasts at most 5 minutes; use `type: \"STANDARD\"` for longer runs)" : ""}`,
    );
  }
  if (!express) return problems;
  for (const call of calls) {
    if (call.kind === "subflow") {
      problems.push(
        `it is an Express workflow and calls subflow \`${call.flow.flowName}\` at ${call.site}, but Express workflows cannot wait for a child execution (\`startExecution.sync\`); make it \`type: "STANDARD"\`, or call the subflow's tasks directly`,
      );
    } else if (call.task.options.timeoutSeconds > EXPRESS_MAX_SECONDS) {
      problems.push(
        `it is an Express workflow (at most 5 minutes per run) and task \`${call.task.taskName}\` at ${call.site} has \`timeout\` ${call.task.options.timeoutSeconds} s; lower the task's \`timeout\` to ${EXPRESS_MAX_SECONDS} s or less, or make the flow \`type: "STANDARD"\``,
      );
    }
  }
  for (const group of groups.filter((g) => g.large)) {
    const lead = calls.find((c) => c.id === group.members[0]);
    problems.push(
      `it is an Express workflow and \`${lead?.state ?? group.id}.map(...)\`${lead ? ` at ${lead.site}` : ""} is \`large\` (a Distributed Map), which Express workflows cannot run; make the flow \`type: "STANDARD"\`, or drop \`large\` from the task`,
    );
  }
  return problems;
}
