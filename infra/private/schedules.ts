/**
 * A flow's schedules: an EventBridge rule per schedule, or an EventBridge Scheduler schedule
 * when it has a time zone (rules run in UTC only).
 */
import { TimeZone } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as eventTargets from "aws-cdk-lib/aws-events-targets";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as schedulerTargets from "aws-cdk-lib/aws-scheduler-targets";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import type { Schedule } from "../../sdk/graph/options.ts";
import type { GraphFlow } from "../../sdk/graph/types.ts";
import { ScheduleError } from "stepflow";

/** Adds one trigger per schedule of `flow`, each starting `stateMachine` with its parsed params. */
export function addSchedules(scope: Construct, flow: GraphFlow, stateMachine: sfn.IStateMachine): void {
  flow.options.schedules.forEach((s, i) => {
    const input = scheduleInput(flow, s);
    const description = `stepflow: runs flow ${flow.flowName} ${s.expression}${s.timezone ? ` (${s.timezone})` : ""}`;
    if (s.timezone) {
      new scheduler.Schedule(scope, `Schedule${i}`, {
        schedule: scheduler.ScheduleExpression.expression(s.expression, TimeZone.of(s.timezone)),
        target: new schedulerTargets.StepFunctionsStartExecution(stateMachine, {
          input: scheduler.ScheduleTargetInput.fromObject(input),
        }),
        enabled: s.enabled,
        description,
      });
      return;
    }
    new events.Rule(scope, `Schedule${i}`, {
      schedule: events.Schedule.expression(s.expression),
      enabled: s.enabled,
      description,
      targets: [
        new eventTargets.SfnStateMachine(stateMachine, { input: events.RuleTargetInput.fromObject(input) }),
      ],
    });
  });
}

/** The schedule's params with defaults applied; bad params fail the synth, naming the schedule. */
function scheduleInput(flow: GraphFlow, s: Schedule): unknown {
  try {
    return flow.parse(s.params);
  } catch (cause) {
    throw new ScheduleError(
      `schedule \`${s.expression}\` of flow \`${flow.flowName}\` has invalid params: ${(cause as Error).message}`,
      { cause },
    );
  }
}
