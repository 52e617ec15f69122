/**
 * IAM of the rehearsed stack: the template's roles, with intrinsics resolved to the physical
 * names the emulated account gave the resources, evaluated by `RoleSimulator` for each request a
 * deployed function signs, for what the Lambda service does as the function's role (its log
 * stream), and for each state machine role's service calls from its definition.
 */
import type { StackResourceSummary } from "@aws-sdk/client-cloudformation";
import { physicalResource } from "../../private/cfn-physical.ts";
import type { PhysicalResource } from "../../private/cfn-template.ts";
import { RoleSimulator } from "../iam.ts";
import type { CfnTemplate } from "./assembly.ts";
import type { IamAsk } from "./aws-request.ts";
import type { RehearsalFunction } from "./lambda-pool.ts";
import { machineAsks } from "./machine-asks.ts";

/** Resources whose physical id is their ARN (`Ref` returns the ARN). */
const ARN_IDS = new Set(["AWS::StepFunctions::StateMachine", "AWS::SecretsManager::Secret"]);

/** The roles of the deployed stack. */
export class IamGuard {
  private constructor(private readonly simulator: RoleSimulator) {}

  /** The roles of `template` deployed with these physical ids. */
  static of(
    template: CfnTemplate,
    physical: ReadonlyMap<string, StackResourceSummary>,
    env: { account: string; region: string; stackName: string },
  ): IamGuard {
    const full = { ...env, partition: "aws", urlSuffix: "amazonaws.com" };
    const names: Record<string, PhysicalResource> = {};
    for (const [logicalId, r] of physical) {
      const id = r.PhysicalResourceId ?? "";
      const type = r.ResourceType ?? "";
      const name = ARN_IDS.has(type) ? id.slice(id.lastIndexOf(":") + 1) : id;
      // `Path` and other properties keep their defaults; only the name comes from the account.
      const computed = physicalResource(type, logicalId, (property) => (property === "Path" ? undefined : name), full);
      names[logicalId] = ARN_IDS.has(type) ? { ref: id, attributes: { ...computed.attributes, Arn: id } } : computed;
    }
    return new IamGuard(RoleSimulator.fromTemplate(template as never, { ...env, physical: names }));
  }

  /** IAM's decision on a request `fn` signs with its role. */
  authorize(fn: RehearsalFunction, ask: IamAsk): Promise<{ allowed: boolean; reason: string }> {
    return this.simulator.check(this.simulator.roleOf(fn.logicalId), ask);
  }

  /** Denials of what Lambda does as the function's role before any code runs: its log stream. */
  async lambdaServiceDenials(fn: RehearsalFunction, env: { account: string; region: string }): Promise<string[]> {
    const stream = `arn:aws:logs:${env.region}:${env.account}:log-group:${fn.logGroup}:log-stream:${logStreamName(fn)}`;
    const asks = [
      { action: "logs:CreateLogStream", resource: stream },
      { action: "logs:PutLogEvents", resource: stream },
    ];
    return this.denials(this.simulator.roleOf(fn.logicalId), asks, `function \`${fn.logicalId}\` (Lambda writing its logs)`);
  }

  /** Denials of the service calls a state machine's role makes for its deployed definition. */
  async machineDenials(logicalId: string, arn: string, definition: string): Promise<string[]> {
    const asks = machineAsks(definition, arn);
    const role = this.simulator.roleOf(logicalId);
    const out: string[] = [];
    for (const ask of asks) out.push(...(await this.denials(role, [ask], `state machine \`${logicalId}\`, state \`${ask.state}\``)));
    return out;
  }

  private async denials(role: string, asks: readonly IamAsk[], who: string): Promise<string[]> {
    const out: string[] = [];
    for (const ask of asks) {
      const decision = await this.simulator.check(role, ask);
      if (!decision.allowed) out.push(`${who}: ${decision.reason}`);
    }
    return out;
  }
}

/**
 * The log stream Lambda writes to: `YYYY/MM/DD/[$LATEST]<id>` in the function's own
 * `/aws/lambda/<name>` group, `YYYY/MM/DD/<name>[$LATEST]<id>` in a custom (shareable) log group.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 */
export function logStreamName(fn: RehearsalFunction): string {
  const own = fn.logGroup === `/aws/lambda/${fn.name}`;
  return `2026/01/01/${own ? "" : fn.name}[$LATEST]rehearsal`;
}
