/**
 * The service calls a state machine's role makes for its definition, as Step Functions makes
 * them: `lambda:InvokeFunction` per Lambda task, `states:StartExecution` (+ Describe/Stop and the
 * managed events rule of `.sync`) per subflow, S3 reads and writes of a Distributed Map's
 * `ItemReader`/`ResultWriter`, and the child executions of a Distributed Map. moto's interpreter
 * signs none of them with the role, so the rehearsal evaluates them from the deployed definition.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html
 */
import type { IamAsk } from "./aws-request.ts";

interface AslState {
  readonly Type?: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Arguments?: Record<string, unknown>;
  readonly Branches?: readonly AslStates[];
  readonly Iterator?: AslStates;
  readonly ItemProcessor?: AslStates & { readonly ProcessorConfig?: { readonly Mode?: string } };
  readonly ItemReader?: { readonly Resource?: string; readonly Parameters?: Record<string, unknown> };
  readonly ResultWriter?: { readonly Resource?: string; readonly Parameters?: Record<string, unknown> };
}

interface AslStates {
  readonly States?: Record<string, AslState>;
}

/** Every request the role of `machineArn` makes to run `definition`, with the state that needs it. */
export function machineAsks(definition: string, machineArn: string): (IamAsk & { state: string })[] {
  const [, partition, , region, account] = machineArn.split(":");
  const name = machineArn.slice(machineArn.lastIndexOf(":") + 1);
  const scope = { partition, region, account, name, machineArn };
  return walk(JSON.parse(definition) as AslStates).flatMap(([state, s]) =>
    asksOf(s, scope).map((ask) => ({ ...ask, state })),
  );
}

function walk(states: AslStates): [string, AslState][] {
  return Object.entries(states.States ?? {}).flatMap(([name, s]) => [
    [name, s] as [string, AslState],
    ...(s.Branches ?? []).flatMap(walk),
    ...(s.Iterator ? walk(s.Iterator) : []),
    ...(s.ItemProcessor ? walk(s.ItemProcessor) : []),
  ]);
}

interface Scope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  readonly machineArn: string;
}

function asksOf(s: AslState, scope: Scope): IamAsk[] {
  const params = s.Parameters ?? s.Arguments ?? {};
  const asks: IamAsk[] = [];
  const resource = s.Resource ?? "";
  if (/^arn:[^:]+:lambda:/.test(resource)) asks.push({ action: "lambda:InvokeFunction", resource });
  if (/:states:::lambda:invoke/.test(resource) && typeof params.FunctionName === "string")
    asks.push({ action: "lambda:InvokeFunction", resource: params.FunctionName });
  if (/:states:::states:startExecution/.test(resource)) asks.push(...startExecutionAsks(resource, params, scope));
  if (s.ItemReader) asks.push(...s3Asks("s3:GetObject", s.ItemReader.Parameters, scope));
  if (s.ResultWriter) asks.push(...s3Asks("s3:PutObject", s.ResultWriter.Parameters, scope));
  if (s.ItemProcessor?.ProcessorConfig?.Mode === "DISTRIBUTED") {
    const children = `arn:${scope.partition}:states:${scope.region}:${scope.account}:execution:${scope.name}/rehearsal-map:rehearsal-child`;
    asks.push(
      { action: "states:StartExecution", resource: scope.machineArn },
      { action: "states:DescribeExecution", resource: children },
      { action: "states:StopExecution", resource: children },
    );
  }
  return asks;
}

function startExecutionAsks(resource: string, params: Record<string, unknown>, scope: Scope): IamAsk[] {
  const child = typeof params.StateMachineArn === "string" ? params.StateMachineArn : undefined;
  if (!child) return [];
  const asks: IamAsk[] = [{ action: "states:StartExecution", resource: child }];
  if (/\.sync/.test(resource)) {
    const execution = `${child.replace(":stateMachine:", ":execution:")}:rehearsal-child-run`;
    const rule = `arn:${scope.partition}:events:${scope.region}:${scope.account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`;
    asks.push(
      { action: "states:DescribeExecution", resource: execution },
      { action: "states:StopExecution", resource: execution },
      { action: "events:PutTargets", resource: rule },
      { action: "events:PutRule", resource: rule },
      { action: "events:DescribeRule", resource: rule },
    );
  }
  return asks;
}

/**
 * S3 requests on the bucket and key/prefix of an ItemReader or ResultWriter. A key set at run
 * time (`Key.$`) is a run's object under `runs/<flow>/`, where stepflow writes every run's data.
 */
function s3Asks(action: string, params: Record<string, unknown> | undefined, scope: Scope): IamAsk[] {
  const bucket = typeof params?.Bucket === "string" ? params.Bucket : undefined;
  if (!bucket) return [];
  const runKey = `runs/${scope.name.replace(/^stepflow-/, "")}/rehearsal-run/items.json`;
  const key = typeof params?.Key === "string" ? params.Key : typeof params?.Prefix === "string" ? `${params.Prefix}/manifest.json` : runKey;
  return [{ action, resource: `arn:aws:s3:::${bucket}/${key}` }];
}
