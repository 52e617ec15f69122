/**
 * EventBridge's part of a run: moto emits no "Step Functions Execution Status Change" events, so
 * the rehearsal builds each one as Step Functions sends it and delivers it to the targets of
 * every deployed rule whose pattern matches it (moto's `TestEventPattern` decides, on the
 * pattern as deployed), invoking the target functions as EventBridge does.
 */
import { randomUUID } from "node:crypto";
import {
  type EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import type { DescribeExecutionCommandOutput } from "@aws-sdk/client-sfn";
import type { ExecutionStatusDetail } from "../../../functions/status-event.ts";
import type { InvokeResult, RehearsalFunction } from "./lambda-pool.ts";

/** A rule and the functions it targets. */
interface RuleTargets {
  readonly name: string;
  readonly pattern: string;
  readonly functions: readonly RehearsalFunction[];
}

/** Delivers status-change events to the deployed rules' function targets. */
export class StatusDelivery {
  private constructor(
    private readonly events: EventBridgeClient,
    private readonly rules: readonly RuleTargets[],
    private readonly env: { account: string; region: string },
  ) {}

  /** Reads the rules with an event pattern and their function targets from the account. */
  static async load(
    events: EventBridgeClient,
    functionByArn: (arn: string) => RehearsalFunction | undefined,
    env: { account: string; region: string },
  ): Promise<StatusDelivery> {
    const rules: RuleTargets[] = [];
    for (const rule of (await events.send(new ListRulesCommand({}))).Rules ?? []) {
      if (!rule.EventPattern || rule.State === "DISABLED") continue;
      const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name }))).Targets ?? [];
      const functions = targets.flatMap((t) => functionByArn(t.Arn ?? "") ?? []);
      rules.push({ name: rule.Name ?? "", pattern: rule.EventPattern, functions });
    }
    return new StatusDelivery(events, rules, env);
  }

  /**
   * Sends the event of `execution` reaching its current status; resolves with each target's
   * failure (`<rule> -> <function>: <error>`), empty when every target handled it.
   */
  async deliver(
    execution: DescribeExecutionCommandOutput,
    invoke: (fn: RehearsalFunction, event: unknown) => Promise<InvokeResult>,
  ): Promise<string[]> {
    const event = statusEvent(execution, this.env);
    const failures: string[] = [];
    for (const rule of this.rules) {
      const test = new TestEventPatternCommand({ EventPattern: rule.pattern, Event: JSON.stringify(event) });
      if (!(await this.events.send(test)).Result) continue;
      for (const fn of rule.functions) {
        const result = await invoke(fn, event);
        if (result.functionError) {
          const { errorType, errorMessage } = result.payload as { errorType: string; errorMessage: string };
          failures.push(`rule \`${rule.name}\` -> \`${fn.logicalId}\` failed on a ${event.detail.status} event: ${errorType}: ${errorMessage}`);
        }
      }
    }
    return failures;
  }
}

/** The event Step Functions sends to EventBridge when an execution reaches `status`. */
function statusEvent(execution: DescribeExecutionCommandOutput, env: { account: string; region: string }) {
  const executionArn = execution.executionArn ?? "";
  const terminal = execution.status !== "RUNNING";
  const detail: ExecutionStatusDetail = {
    executionArn,
    stateMachineArn: execution.stateMachineArn ?? "",
    name: execution.name ?? "",
    status: execution.status ?? "RUNNING",
    startDate: execution.startDate?.getTime() ?? Date.now(),
    stopDate: terminal ? (execution.stopDate?.getTime() ?? Date.now()) : null,
    input: execution.input ?? "{}",
    output: terminal ? (execution.output ?? null) : null,
    error: execution.error ?? null,
    cause: execution.cause ?? null,
    redriveCount: 0,
  };
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Step Functions Execution Status Change",
    source: "aws.states",
    account: env.account,
    time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    region: env.region,
    resources: [executionArn],
    detail,
  };
}
