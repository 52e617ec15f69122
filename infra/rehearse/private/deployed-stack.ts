/**
 * The stack as the emulated account holds it after CREATE_COMPLETE: its functions (configuration
 * read back from Lambda, code from the cloud assembly asset CloudFormation deployed), state
 * machines, history table and results bucket, by logical id and physical name.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type FunctionConfiguration, LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";
import { RehearsalDeployError } from "../errors.ts";
import type { Assembly, CfnResource } from "./assembly.ts";
import type { PhysicalIds } from "./deploy-stack.ts";
import type { RehearsalFunction } from "./lambda-pool.ts";

/** A deployed state machine. */
export interface DeployedStateMachine {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
}

/** What the rehearsal runs against. */
export interface DeployedStack {
  /** Functions by logical id. */
  readonly functions: ReadonlyMap<string, RehearsalFunction>;
  /** State machines by name (`stepflow-<flow>`). */
  readonly stateMachines: ReadonlyMap<string, DeployedStateMachine>;
  /** Secret ARNs by Secrets Manager name (`stepflow/<name>`), for the secrets the stack creates. */
  readonly secrets: ReadonlyMap<string, string>;
  readonly historyTable: string;
  readonly resultsBucket: string;
}

/** Reads the deployed stack back from the account. */
export async function readDeployedStack(
  assembly: Assembly,
  physical: PhysicalIds,
  lambda: LambdaClient,
): Promise<DeployedStack> {
  const configs = new Map<string, FunctionConfiguration>();
  for await (const page of paginateListFunctions({ client: lambda }, {}))
    for (const f of page.Functions ?? []) configs.set(f.FunctionName ?? "", f);
  const functions = new Map<string, RehearsalFunction>();
  const stateMachines = new Map<string, DeployedStateMachine>();
  const ofType = (type: string) => Object.entries(assembly.template.Resources).filter(([, r]) => r.Type === type);
  const id = (logicalId: string) => physical.get(logicalId)?.PhysicalResourceId ?? "";
  for (const [logicalId, resource] of ofType("AWS::Lambda::Function")) {
    const config = configs.get(id(logicalId));
    if (!config) throw new RehearsalDeployError(`function \`${logicalId}\` is in the template but was not deployed`);
    functions.set(logicalId, rehearsalFunction(assembly, logicalId, resource, config, id));
  }
  for (const [logicalId] of ofType("AWS::StepFunctions::StateMachine")) {
    const arn = id(logicalId);
    const name = arn.slice(arn.lastIndexOf(":") + 1);
    stateMachines.set(name, { logicalId, name, arn });
  }
  const only = (...types: string[]) => {
    const found = types.flatMap(ofType);
    if (found.length !== 1) throw new RehearsalDeployError(`the stack should hold one ${types.join(" or ")}, it holds ${found.length}`);
    return id(found[0][0]);
  };
  const secrets = new Map(ofType("AWS::SecretsManager::Secret").map(([logicalId, r]) => [String(r.Properties?.Name), id(logicalId)]));
  return {
    functions,
    stateMachines,
    secrets,
    historyTable: only("AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table"),
    resultsBucket: only("AWS::S3::Bucket"),
  };
}

function rehearsalFunction(
  assembly: Assembly,
  logicalId: string,
  resource: CfnResource,
  config: FunctionConfiguration,
  id: (logicalId: string) => string,
): RehearsalFunction {
  const props = resource.Properties ?? {};
  const key = String((props.Code as { S3Key?: unknown } | undefined)?.S3Key ?? "");
  const asset = assembly.assets.find((a) => a.key === key);
  if (!asset) throw new RehearsalDeployError(`function \`${logicalId}\` deploys code \`${key}\`, which no asset of the cloud assembly publishes`);
  const handler = config.Handler ?? "index.handler";
  const dot = handler.lastIndexOf(".");
  const file = [".mjs", ".js", ".cjs"].map((ext) => join(asset.path, handler.slice(0, dot) + ext)).find(existsSync);
  if (!file) throw new RehearsalDeployError(`function \`${logicalId}\`: its code has no module for handler \`${handler}\``);
  const logGroupRef = (props.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
  return {
    name: config.FunctionName ?? "",
    arn: config.FunctionArn ?? "",
    logicalId,
    file,
    exportName: handler.slice(dot + 1),
    timeoutSeconds: config.Timeout ?? 3,
    memoryMb: config.MemorySize ?? 128,
    environment: config.Environment?.Variables ?? {},
    logGroup: logGroupRef ? id(logGroupRef) : `/aws/lambda/${config.FunctionName}`,
  };
}
