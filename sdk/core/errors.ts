/**
 * Errors thrown by stepflow. Every message says what happened, names the API or identifier
 * in backticks and gives the fix.
 */

/** Base class of every error stepflow throws on purpose. */
export class StepflowError extends Error {
  override name = "StepflowError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * One or more problems in a flow definition, collected and reported together.
 * `problems` lists each one; the message lists them all.
 */
export class FlowDefinitionError extends StepflowError {
  override name = "FlowDefinitionError";
  readonly problems: readonly string[];
  constructor(subject: string, problems: readonly string[], options?: { cause?: unknown }) {
    const list = problems.map((p) => `  - ${p}`).join("\n");
    super(`${subject} has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${list}`, options);
    this.problems = problems;
  }
}

/** A task or flow was used where it cannot run, e.g. a task called outside a flow body. */
export class UsageError extends StepflowError {
  override name = "UsageError";
}

/** Parameters that do not match a flow's `params` schema; `issues` names every bad field. */
export class ParamsError extends StepflowError {
  override name = "ParamsError";
  readonly issues: readonly { path: string; message: string }[];
  constructor(flowName: string, issues: readonly { path: string; message: string }[]) {
    const list = issues.map((i) => `  - \`${i.path || "(root)"}\`: ${i.message}`).join("\n");
    super(
      `parameters for flow \`${flowName}\` are invalid:\n${list}\nfix the values above and start the run again`,
    );
    this.issues = issues;
  }
}

/** A schedule expression (cron or rate) that EventBridge would reject. */
export class ScheduleError extends StepflowError {
  override name = "ScheduleError";
}

/**
 * Throw this from a task to fail it without retries, whatever its `retries` option says.
 * @example throw new NonRetriableError("coin `XYZ` does not exist")
 */
export class NonRetriableError extends StepflowError {
  override name = "NonRetriableError";
}
