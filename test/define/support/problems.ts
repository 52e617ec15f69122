import { FlowDefinitionError } from "../../../sdk/index.ts";

/** The problems a definition reports: runs `fn` and returns its FlowDefinitionError's list. */
export function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof FlowDefinitionError) return e.problems;
    throw e;
  }
  throw new Error("expected a FlowDefinitionError");
}
