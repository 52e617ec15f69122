/**
 * A state machine's definition read back as the run graph needs it: the whole machine for a deployed
 * one (no compile index at hand); for a local one recorded before the index's facts were kept, what
 * its record lacks (each Map's tasks, a switched Map's Distributed copies), its recorded facts winning.
 */
import type { StateMachineDefinition } from "../../compile/asl.ts";
import { flowOfMachineName } from "../../core/deploy-names.ts";
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
 * The machine `name` ran, read from its definition alone (a deployed machine; for an older local
 * record, the local source merges its recorded facts over this): subflow states are the `states:startExecution`
 * tasks (their child flow read from the child machine's ARN); Lambda Task states invoke the task
 * their request names (`Parameters.task`, the wire contract), so `get-data-2` is task `get-data`.
 */
export function machineOfDefinition(name: string, definition: StateMachineDefinition): RunMachine {
  const tasks: Record<string, string> = {};
  const subflows: Record<string, string> = {};
  eachState(definition as AnyDefinition, (state, s) => {
    if (s.Type !== "Task") return;
    if (s.Resource?.includes(":states:startExecution")) {
      const arn = String(s.Parameters?.StateMachineArn ?? "");
      const machine = arn.split(":").at(-1) ?? "";
      subflows[state] = flowOfMachineName(machine) ?? machine;
    } else {
      const task = s.Parameters?.task;
      tasks[state] = typeof task === "string" ? task : state;
    }
  });
  return { flow: flowOfMachineName(name) ?? name, stateMachineName: name, definition, tasks, subflows, maps: mapsOfDefinition(definition) };
}

/** The Task states each Map state's iteration runs (not those of a Map inside it), by Map state name. */
export function mapsOfDefinition(definition: StateMachineDefinition): Record<string, string[]> {
  const maps: Record<string, string[]> = {};
  eachState(definition as AnyDefinition, (state, s) => {
    const iteration = s.Type === "Map" ? (s.ItemProcessor ?? s.Iterator) : undefined;
    if (iteration) maps[state] = iterationTasks(iteration);
  });
  return maps;
}

function iterationTasks(d: AnyDefinition): string[] {
  return Object.entries(d.States ?? {}).flatMap(([name, s]) =>
    s.Type === "Task" ? [name] : s.Type === "Parallel" ? (s.Branches ?? []).flatMap(iterationTasks) : [],
  );
}
