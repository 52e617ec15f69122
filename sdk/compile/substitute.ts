import type { StateMachineDefinition } from "./asl.ts";
import type { CompiledFlow } from "./types.ts";
import { RESULTS_BUCKET_PLACEHOLDER, stateMachineName } from "../core/deploy-names.ts";
import { UsageError } from "../core/errors.ts";

/**
 * Replaces `${Key}` placeholders in a definition, as CloudFormation's DefinitionSubstitutions do.
 * @throws UsageError naming every placeholder left without a value.
 */
export function substitute(
  definition: StateMachineDefinition,
  values: Readonly<Record<string, string>>,
): StateMachineDefinition {
  const missing = new Set<string>();
  const text = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => {
    if (key in values) return values[key];
    missing.add(key);
    return whole;
  });
  if (missing.size) {
    throw new UsageError(
      `\`substitute\` has no value for definition placeholder(s) ${[...missing].map((k) => `\`${k}\``).join(", ")}; pass one for each`,
    );
  }
  return JSON.parse(text) as StateMachineDefinition;
}

/** Placeholder values for running a compiled flow locally (well-formed ARNs nobody calls). */
export function localSubstitutions(
  compiled: CompiledFlow,
  region = "us-east-1",
  account = "000000000000",
): Record<string, string> {
  const values: Record<string, string> = { [RESULTS_BUCKET_PLACEHOLDER]: "stepflow-local" };
  for (const t of compiled.tasks)
    values[t.placeholder] =
      `arn:aws:lambda:${region}:${account}:function:${stateMachineName(compiled.flow)}-${t.name}`;
  for (const s of compiled.subflows)
    values[s.placeholder] = `arn:aws:states:${region}:${account}:stateMachine:${stateMachineName(s.flow)}`;
  return values;
}
