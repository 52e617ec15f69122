/**
 * The AWS requests Step Functions makes with a state machine's role while it runs the
 * definition (after `DefinitionSubstitutions`): Lambda invokes, `startExecution` (and for
 * `.sync` the describe/stop calls and the managed EventBridge rule), and for a Distributed Map
 * the child executions of the machine itself and the S3 ItemReader / ResultWriter objects.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html
 */

/** One request, as `RoleSimulator.check` takes it. */
export interface ServiceRequest {
  readonly action: string;
  readonly resource: string;
  /** The state that makes the request. */
  readonly state: string;
}

/** Sample values for what is known only at run time. */
export interface RunSample {
  /** The machine's own ARN (`arn:aws:states:<region>:<account>:stateMachine:<name>`). */
  readonly machineArn: string;
  /** The execution name of the run (and of child executions). */
  readonly runId: string;
  /** The S3 key a Distributed Map's ItemReader reads when the key is a path (`Key.$`). */
  readonly itemKey: string;
}

type State = Record<string, unknown> & { Type: string };
const SYNC_RULE = "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule";

/** Every request the definition's states make with the machine's role. */
export function definitionRequests(definition: { States: Record<string, unknown> }, run: RunSample): ServiceRequest[] {
  const out: ServiceRequest[] = [];
  walk(definition.States, run, out);
  return out;
}

function walk(states: Record<string, unknown>, run: RunSample, out: ServiceRequest[]): void {
  for (const [name, raw] of Object.entries(states)) {
    const state = raw as State;
    if (state.Type === "Task") out.push(...taskRequests(name, state, run));
    if (state.Type === "Parallel") for (const b of state.Branches as { States: Record<string, unknown> }[]) walk(b.States, run, out);
    if (state.Type === "Map") {
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, unknown>; ProcessorConfig?: { Mode?: string } };
      if (processor.ProcessorConfig?.Mode === "DISTRIBUTED") out.push(...distributedRequests(name, state, run));
      walk(processor.States, run, out);
    }
  }
}

function taskRequests(state: string, task: State, run: RunSample): ServiceRequest[] {
  const resource = String(task.Resource);
  const params = (task.Parameters ?? {}) as Record<string, unknown>;
  if (resource.startsWith("arn:aws:lambda:") || /^arn:[^:]+:lambda:/.test(resource)) {
    return [{ state, action: "lambda:InvokeFunction", resource }];
  }
  const integration = /^arn:[^:]+:states:::([^:]+):([^.]+)(\.sync(?::2)?|\.waitForTaskToken)?$/.exec(resource);
  if (!integration) return [];
  const [, service, api, mode] = integration;
  if (service === "lambda" && api === "invoke") return [{ state, action: "lambda:InvokeFunction", resource: String(params.FunctionName) }];
  if (service === "states" && api === "startExecution") {
    const child = String(params.StateMachineArn);
    const requests = [{ state, action: "states:StartExecution", resource: child }];
    if (!mode?.startsWith(".sync")) return requests;
    const execution = `${child.replace(":stateMachine:", ":execution:")}:${run.runId}`;
    const [, partition, , region, account] = run.machineArn.split(":");
    const rule = `arn:${partition}:events:${region}:${account}:${SYNC_RULE}`;
    return [
      ...requests,
      { state, action: "states:DescribeExecution", resource: execution },
      { state, action: "states:StopExecution", resource: execution },
      ...["events:PutTargets", "events:PutRule", "events:DescribeRule"].map((action) => ({ state, action, resource: rule })),
    ];
  }
  const s3 = { getObject: "s3:GetObject", putObject: "s3:PutObject" }[api];
  if (service === "s3" && s3) return [{ state, action: s3, resource: `arn:aws:s3:::${String(params.Bucket)}/${String(params.Key)}` }];
  return [{ state, action: `${service}:${api[0].toUpperCase()}${api.slice(1)}`, resource: "*" }];
}

function distributedRequests(state: string, map: State, run: RunSample): ServiceRequest[] {
  const label = String(map.Label ?? state);
  const child = `${run.machineArn.replace(":stateMachine:", ":execution:")}/${label}:00000000-0000-4000-8000-000000000001`;
  const out: ServiceRequest[] = [
    { state, action: "states:StartExecution", resource: run.machineArn },
    ...["states:DescribeExecution", "states:StopExecution", "states:RedriveExecution"].map((action) => ({
      state,
      action,
      resource: child,
    })),
  ];
  const reader = map.ItemReader as { Parameters: Record<string, string> } | undefined;
  if (reader) {
    const key = reader.Parameters.Key ?? run.itemKey;
    out.push({ state, action: "s3:GetObject", resource: `arn:aws:s3:::${reader.Parameters.Bucket}/${key}` });
  }
  const writer = map.ResultWriter as { Parameters: Record<string, string> } | undefined;
  if (writer) {
    const format = /^States\.Format\('([^']*)'/.exec(writer.Parameters["Prefix.$"] ?? "")?.[1];
    const prefix = writer.Parameters.Prefix ?? format?.replace("{}", run.runId) ?? "";
    const object = `arn:aws:s3:::${writer.Parameters.Bucket}/${prefix}/manifest.json`;
    for (const action of ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"]) {
      out.push({ state, action, resource: object });
    }
  }
  return out;
}
