/** A deployed state machine's definition read back as the run graph needs it. */
import type { StateMachineDefinition } from "../../compile/asl.ts";
import type { RunMachine } from "../types.ts";

type AnyState = { Type?: string; Resource?: string; Parameters?: Record<string, unknown>; ItemProcessor?: AnyDefinition; Iterator?: AnyDefinition; Branches?: AnyDefinition[] };
type AnyDefinition = { States?: Record<string, AnyState> };

/** Calls `visit` on every state of the definition, nested ones (Map iterations, Parallel branches) too. */
function eachState(d: AnyDefinition, visit: (name: string, state: AnyState) => void): void {
  for (const [name, s] of Object.entries(d.States ?? {})) {
    if (s.ItemProcessor ?? s.Iterator) eachState((s.ItemProcessor ?? s.Iterator)!, visit);
    for (const b of s.Branches ?? []) eachState(b, visit);
    visit(name, s);
  }
}

/** The Lambda function a task state invokes (its `Resource`: the function's ARN in a deployed definition). */
export function taskFunctionOf(definition: StateMachineDefinition, state: string): string | undefined {
  let arn: string | undefined;
  eachState(definition as AnyDefinition, (name, s) => {
    if (name === state && s.Type === "Task" && s.Resource?.startsWith("arn:aws:lambda:")) arn = s.Resource;
  });
  return arn;
}

/**
 * The machine `name` ran: subflow states are the `states:startExecution` tasks (their child flow
 * read from the child machine's ARN); other Task states invoke the task of their name, as the
 * compiler names them (`get-data`, `get-data-2`).
 */
export function machineOfDefinition(name: string, definition: StateMachineDefinition, prefix: string): RunMachine {
  const tasks: Record<string, string> = {};
  const subflows: Record<string, string> = {};
  eachState(definition as AnyDefinition, (state, s) => {
    if (s.Type !== "Task") return;
    if (s.Resource?.includes(":states:startExecution")) {
      const arn = String(s.Parameters?.StateMachineArn ?? "");
      const machine = arn.split(":").at(-1) ?? "";
      subflows[state] = machine.startsWith(prefix) ? machine.slice(prefix.length) : machine;
    } else {
      tasks[state] = state;
    }
  });
  return { flow: name.startsWith(prefix) ? name.slice(prefix.length) : name, stateMachineName: name, definition, tasks, subflows };
}
