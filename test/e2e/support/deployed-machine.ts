/**
 * A state machine as deployed: its definition after CloudFormation's `DefinitionSubstitutions`
 * (with fake ARNs), and for each Task state what AWS would run: the Lambda's bundle from the
 * cloud assembly (handler, environment, timeout) or the subflow's state machine.
 */
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import type { StateMachineDefinition } from "stepflow";
import { type Deployment, handlerFile, resourcesOfType } from "./cloud-assembly.ts";
import type { Resolver } from "../../../infra/rehearse/intrinsics.ts";

/** A task Lambda as deployed. */
export interface DeployedLambda {
  readonly logicalId: string;
  readonly functionName: string;
  /** The bundle module Lambda loads, inside the cloud assembly. */
  readonly file: string;
  readonly exportName: string;
  /** `Environment.Variables`, intrinsics resolved to the fake names. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
}

/** A state machine of the template, ready to execute. */
export interface DeployedMachine {
  readonly name: string;
  readonly arn: string;
  readonly definition: StateMachineDefinition;
  /** Task states that invoke a Lambda, by state name. */
  readonly lambdas: ReadonlyMap<string, DeployedLambda>;
  /** Task states that start another state machine (`startExecution.sync:2`): the child's name. */
  readonly subflows: ReadonlyMap<string, string>;
}

const START_SYNC = "arn:aws:states:::states:startExecution.sync:2";

/** The state machine named `name` in the deployment. */
export function deployedMachine(deployment: Deployment, resolver: Resolver, name: string): DeployedMachine {
  const machines = resourcesOfType(deployment.template, "AWS::StepFunctions::StateMachine");
  const found = machines.find(([, r]) => r.Properties?.StateMachineName === name);
  if (!found) throw new Error(`the template has no state machine \`${name}\``);
  const [id, resource] = found;
  const props = resource.Properties ?? {};
  const values = resolver.resolve(props.DefinitionSubstitutions ?? {}) as Record<string, string>;
  // CloudFormation replaces `${key}` for each key given and leaves any other text alone.
  const text = resolver
    .string(props.DefinitionString)
    .replace(/\$\{([^}]+)\}/g, (whole, key: string) => values[key] ?? whole);
  const definition = JSON.parse(text) as StateMachineDefinition;

  const lambdaIds = new Map(
    resourcesOfType(deployment.template, "AWS::Lambda::Function").map(([lid]) => [resolver.arn(lid), lid]),
  );
  const machineNames = new Map(
    machines.map(([mid, r]) => [resolver.arn(mid), String(r.Properties?.StateMachineName)]),
  );
  const lambdas = new Map<string, DeployedLambda>();
  const subflows = new Map<string, string>();
  for (const [state, task] of taskStates(definition)) {
    if (lambdas.has(state) || subflows.has(state))
      throw new Error(`state name \`${state}\` is used twice in \`${name}\``);
    const lambdaId = lambdaIds.get(task.Resource);
    if (lambdaId) lambdas.set(state, deployedLambda(deployment, resolver, lambdaId));
    else if (task.Resource === START_SYNC) {
      const child = machineNames.get(String(task.Parameters?.StateMachineArn));
      if (!child)
        throw new Error(
          `state \`${state}\` starts \`${task.Parameters?.StateMachineArn}\`, not a state machine of the stack`,
        );
      subflows.set(state, child);
    } else {
      throw new Error(
        `state \`${state}\` of \`${name}\` has Resource \`${task.Resource}\`, which is no Lambda of the stack`,
      );
    }
  }
  return { name, arn: resolver.arn(id), definition, lambdas, subflows };
}

interface TaskLike {
  readonly Resource: string;
  readonly Parameters?: Record<string, unknown>;
}

/** Every Task state, in Parallel branches and Map iterations too. */
function* taskStates(d: { States: Record<string, unknown> }): Generator<[string, TaskLike]> {
  for (const [name, state] of Object.entries(d.States) as [string, Record<string, unknown>][]) {
    if (state.Type === "Task") yield [name, state as unknown as TaskLike];
    if (state.Type === "Parallel")
      for (const b of state.Branches as StateMachineDefinition[]) yield* taskStates(b);
    if (state.Type === "Map")
      yield* taskStates((state.ItemProcessor ?? state.Iterator) as StateMachineDefinition);
  }
}

function deployedLambda(deployment: Deployment, resolver: Resolver, logicalId: string): DeployedLambda {
  const props = deployment.template.Resources[logicalId].Properties ?? {};
  const code = props.Code as { S3Key?: unknown };
  const key = resolver.string(code.S3Key);
  const assetDir = deployment.assets.get(key);
  if (!assetDir)
    throw new Error(`Lambda \`${logicalId}\` deploys code \`${key}\`, which no asset manifest publishes`);
  const { file, exportName } = handlerFile(assetDir, String(props.Handler));
  const variables = (props.Environment as { Variables?: unknown } | undefined)?.Variables ?? {};
  return {
    logicalId,
    functionName: resolver.ref(logicalId),
    file,
    exportName,
    env: resolver.resolve(variables) as Record<string, string>,
    timeoutSeconds: Number(props.Timeout ?? 3),
  };
}

/** `CreateTable` input for a synthesized table (`TableV2` is an `AWS::DynamoDB::GlobalTable`). */
export function createTableInput(
  deployment: Deployment,
  resolver: Resolver,
  logicalId: string,
): CreateTableCommandInput {
  const p = (deployment.template.Resources[logicalId].Properties ?? {}) as Record<string, never>;
  const indexes = (p.GlobalSecondaryIndexes ?? []) as {
    IndexName: string;
    KeySchema: never;
    Projection: never;
  }[];
  return {
    TableName: resolver.ref(logicalId),
    AttributeDefinitions: p.AttributeDefinitions,
    KeySchema: p.KeySchema,
    BillingMode: p.BillingMode,
    ...(indexes.length > 0
      ? {
          GlobalSecondaryIndexes: indexes.map(({ IndexName, KeySchema, Projection }) => ({
            IndexName,
            KeySchema,
            Projection,
          })),
        }
      : {}),
  };
}
