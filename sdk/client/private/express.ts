/**
 * Express flows: Step Functions keeps no execution history for Express workflows, so
 * `DescribeExecution` (and `StopExecution`) do not work on them. A run is started with
 * `StartSyncExecution`, which answers when the run has ended (Express runs last 5 minutes at
 * most) with its status, output and error: what `wait()` and `result()` need, with no polling.
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html
 */
import { type SFNClient, StartSyncExecutionCommand } from "@aws-sdk/client-sfn";
import type { RunDescription } from "../types.ts";
import { awsCall, type RetryPolicy } from "./aws-call.ts";
import { runDescription } from "./run-description.ts";

/** Whether an execution ARN is an Express execution's (`...:express:<machine>:<name>:<id>`). */
export function isExpressExecution(executionArn: string): boolean {
  return executionArn.split(":")[5] === "express";
}

/** Runs an Express flow to its end with `StartSyncExecution`; how it ended. */
export async function runExpress(
  sfn: SFNClient,
  retry: RetryPolicy,
  call: { flow: string; name: string; stateMachineArn: string; input: unknown },
): Promise<RunDescription> {
  const out = await awsCall(
    { action: "states:StartSyncExecution", flow: call.flow, run: call.name, resource: call.stateMachineArn },
    retry,
    () =>
      sfn.send(
        new StartSyncExecutionCommand({
          stateMachineArn: call.stateMachineArn,
          name: call.name,
          input: JSON.stringify(call.input),
        }),
      ),
  );
  return runDescription(call.name, out.executionArn ?? "", out, "FAILED");
}

