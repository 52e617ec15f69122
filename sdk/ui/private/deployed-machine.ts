/** A deployed state machine's definition read back as the run graph needs it. */
import type { StateMachineDefinition } from "../../compile/asl.ts";
import type { RunMachine } from "../types.ts";

type AnyDefinition = { States?: Record<string, { Type?: string; Resource?: string; Parameters?: Record<string, unknown>; ItemProcessor?: AnyDefinition; Iterator?: AnyDefinition; Branches?: AnyDefinition[] }> };

/**
 * The machine `name` ran: subflow states are the `states:startExecution` tasks (their child flow
 * read from the child machine's ARN); other Task states invoke the task of their name, as the
 * compiler names them (`get-data`, `get-data-2`).
 */
export function machineOfDefinition(name: string, definition: StateMachineDefinition, prefix: string): RunMachine {
  const tasks: Record<string, string> = {};
  const subflows: Record<string, string> = {};
  const walk = (d: AnyDefinition) => {
    for (const [state, s] of Object.entries(d.States ?? {})) {
      if (s.ItemProcessor ?? s.Iterator) walk((s.ItemProcessor ?? s.Iterator)!);
      for (const b of s.Branches ?? []) walk(b);
      if (s.Type !== "Task") continue;
      if (s.Resource?.includes(":states:startExecution")) {
        const arn = String(s.Parameters?.StateMachineArn ?? "");
        const machine = arn.split(":").at(-1) ?? "";
        subflows[state] = machine.startsWith(prefix) ? machine.slice(prefix.length) : machine;
      } else {
        tasks[state] = state;
      }
    }
  };
  walk(definition as AnyDefinition);
  return { flow: name.startsWith(prefix) ? name.slice(prefix.length) : name, stateMachineName: name, definition, tasks, subflows };
}
