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
 * What a definition problem is about: `definition` for what the define step finds (names, options,
 * calls); the compiler's kinds name the wiring it cannot express: a `when` condition, a value
 * passed to a subflow, a subflow's result, the list of a `.map`; `internal` is a compiler bug.
 */
export type DefinitionProblemKind =
  | "definition"
  | "condition"
  | "subflow-argument"
  | "subflow-result"
  | "map-list"
  | "internal";

/** One problem of a flow definition. */
export interface DefinitionProblem {
  readonly kind: DefinitionProblemKind;
  /** What is wrong, naming the identifiers in backticks, and the fix. */
  readonly message: string;
  /** The state the problem is in (the task's state, `map <task>`, `if <condition>`), when known. */
  readonly state?: string;
}

/**
 * One or more problems in a flow definition, collected and reported together.
 * `problems` lists each one's message; `details` the same problems with their kind and state.
 */
export class FlowDefinitionError extends StepflowError {
  override name = "FlowDefinitionError";
  readonly problems: readonly string[];
  readonly details: readonly DefinitionProblem[];
  constructor(
    subject: string,
    problems: readonly (string | DefinitionProblem)[],
    options?: { cause?: unknown },
  ) {
    const details = problems.map((p) => (typeof p === "string" ? { kind: "definition" as const, message: p } : p));
    const lines = details.map(problemLine);
    const list = lines.map((p) => `  - ${p}`).join("\n");
    super(`${subject} has ${lines.length} problem${lines.length === 1 ? "" : "s"}:\n${list}`, options);
    this.problems = lines;
    this.details = details;
  }
}

/** A problem's line: its message, with the state it is in when the message does not name it. */
function problemLine(p: DefinitionProblem): string {
  if (!p.state || p.message.includes(`\`${p.state}`)) return p.message;
  return `${p.message} (state \`${p.state}\`)`;
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
