/**
 * Evaluates AWS requests against the roles of a synthesized template as IAM would: each role's
 * policies with intrinsics resolved to the deployed names, and the bucket policies, through a
 * real IAM policy evaluator (`@cloud-copilot/iam-simulate`: identity and resource policies,
 * every condition operator, resource-type checks of the action).
 * @example
 * const iam = RoleSimulator.fromTemplate(template, { account, region, stackName });
 * const { allowed, reason } = await iam.check(iam.roleOf(functionLogicalId), {
 *   action: "s3:GetObject", resource: "arn:aws:s3:::bucket/runs/hello/x.json" });
 */
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { StepflowError } from "stepflow";
import type { CfnTemplate, DeployEnv } from "../private/cfn-template.ts";
import { definitionRequests, type ServiceRequest } from "../private/definition-requests.ts";
import { bucketPolicies, type PolicyDocument, type RolePolicies, rolePolicies } from "../private/role-policies.ts";
import { Resolver } from "./intrinsics.ts";

export type { ServiceRequest } from "../private/definition-requests.ts";

/** One request a role's session makes. */
export interface IamRequest {
  /** `service:Action`, e.g. `s3:GetObject`. */
  readonly action: string;
  /** The ARN of the resource the request acts on (`*` for actions without a resource). */
  readonly resource: string;
  /** Request context keys (e.g. `{ "s3:prefix": "runs/x/" }`); `aws:SecureTransport` is `true` unless given. */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

/** IAM's decision on a request, and why. */
export interface IamDecision {
  readonly allowed: boolean;
  /** Which statement allowed it, or what denied it (the statements that grant the action and their resources). */
  readonly reason: string;
}

/** A denied request, with IAM's error name (`AccessDenied`). */
export class AccessDeniedError extends StepflowError {
  override name = "AccessDenied";
}

/** The roles of one deployed template, ready to evaluate requests. */
export class RoleSimulator {
  private constructor(
    readonly resolver: Resolver,
    /** Each role, by logical id. */
    readonly roles: ReadonlyMap<string, RolePolicies>,
    private readonly buckets: ReadonlyMap<string, PolicyDocument>,
  ) {}

  /** The roles of `template` deployed as `env` (or through a resolver that already has its physical names). */
  static fromTemplate(template: CfnTemplate, env: DeployEnv | Resolver): RoleSimulator {
    const resolver = env instanceof Resolver ? env : new Resolver(template, env);
    return new RoleSimulator(resolver, rolePolicies(resolver), bucketPolicies(resolver));
  }

  /** The logical id of the role a function (`Role`) or state machine (`RoleArn`) runs as. */
  roleOf(resourceLogicalId: string): string {
    const p = this.resolver.properties(resourceLogicalId);
    const arn = String(p.Role ?? p.RoleArn ?? "");
    const found = [...this.roles.values()].find((r) => r.arn === arn);
    if (!found) {
      throw new StepflowError(
        `resource \`${resourceLogicalId}\` runs as \`${arn || "(no role)"}\`, which is not a role of this template; give it a role the stack creates`,
      );
    }
    return found.logicalId;
  }

  /**
   * A state machine's definition as deployed: `DefinitionString` with intrinsics resolved and
   * `DefinitionSubstitutions` applied (CloudFormation replaces each `${key}` it is given).
   */
  definition(machineLogicalId: string): { States: Record<string, unknown> } {
    const p = this.resolver.properties(machineLogicalId);
    const values = (p.DefinitionSubstitutions ?? {}) as Record<string, string>;
    const text = String(p.DefinitionString).replace(/\$\{([^}]+)\}/g, (whole, key: string) => values[key] ?? whole);
    return JSON.parse(text) as { States: Record<string, unknown> };
  }

  /**
   * The requests Step Functions makes with the machine's role to run its definition (Lambda
   * invokes, subflow starts and `.sync` polling, Distributed Map children and S3 items), with
   * `runId` as the execution name and `itemKey` as a Distributed Map's ItemReader key.
   */
  machineRequests(machineLogicalId: string, run: { runId: string; itemKey: string }): ServiceRequest[] {
    return definitionRequests(this.definition(machineLogicalId), { ...run, machineArn: this.resolver.ref(machineLogicalId) });
  }

  /** IAM's decision on `request` made by a session of the role (logical id, name or ARN). */
  async check(role: string, request: IamRequest): Promise<IamDecision> {
    const r = this.role(role);
    const account = this.accountOf(r.arn);
    const bucket = /^arn:[^:]+:s3:::([^/]+)/.exec(request.resource)?.[1];
    const simulation: Simulation = {
      request: {
        principal: r.arn,
        action: request.action,
        resource: { resource: request.resource, accountId: this.accountOf(request.resource) || account },
        contextVariables: {
          "aws:SecureTransport": "true",
          "aws:PrincipalArn": r.arn,
          "aws:PrincipalAccount": account,
          ...request.context,
        },
      },
      identityPolicies: r.identity.map((p) => ({ name: p.name, policy: p.policy })),
      permissionBoundaryPolicies: r.boundary.length > 0 ? r.boundary : undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: bucket ? this.buckets.get(bucket) : undefined,
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") {
      throw new StepflowError(
        `IAM cannot evaluate \`${request.action}\` on \`${request.resource}\` for role \`${r.logicalId}\`: ${result.errors.message} ${JSON.stringify(result.errors)}; fix the request or the role's policy`,
      );
    }
    const allowed = result.overallResult === "Allowed";
    const what = `\`${request.action}\` on \`${request.resource}\` by role \`${r.logicalId}\` (${r.arn})`;
    if (allowed) return { allowed, reason: `${what} is allowed` };
    return { allowed, reason: `${what} is ${result.overallResult === "ExplicitlyDenied" ? "explicitly denied" : "implicitly denied (no statement allows it)"}. ${this.grants(r, request.action)}` };
  }

  /** Like `check`, but throws `AccessDenied` (naming the action, resource and role) when IAM would deny. */
  async assertAllowed(role: string, request: IamRequest): Promise<void> {
    const decision = await this.check(role, request);
    if (!decision.allowed) {
      throw new AccessDeniedError(`${decision.reason}; grant it in the role's policy (infra/) or fix the resource the code uses`);
    }
  }

  private role(ref: string): RolePolicies {
    const found = this.roles.get(ref) ?? [...this.roles.values()].find((r) => r.arn === ref || r.name === ref);
    if (!found) {
      throw new StepflowError(`the template has no role \`${ref}\`; pass a role's logical id, name or ARN (roles: ${[...this.roles.keys()].join(", ")})`);
    }
    return found;
  }

  /** What the role does grant for the action, so a denial shows how the ARNs differ. */
  private grants(role: RolePolicies, action: string): string {
    const [service] = action.split(":");
    const granted: string[] = [];
    for (const { name, policy } of role.identity) {
      const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
      for (const s of statements) {
        const actions = ([] as unknown[]).concat(s.Action ?? []).map(String);
        if (s.Effect !== "Allow" || !actions.some((a) => actionMatches(a, action, service))) continue;
        const condition = s.Condition ? ` when ${JSON.stringify(s.Condition)}` : "";
        granted.push(`${name}: ${JSON.stringify(s.Resource)}${condition}`);
      }
    }
    const unknown = role.unknownManaged.length ? ` Managed policies not evaluated: ${role.unknownManaged.join(", ")}.` : "";
    return (granted.length ? `Statements granting \`${action}\`: ${granted.join("; ")}.` : `No statement grants \`${action}\`.`) + unknown;
  }

  private accountOf(arn: string): string {
    return arn.split(":")[4] ?? "";
  }
}

/** Whether an IAM action pattern (`s3:Get*`, `*`) names `action` (case-insensitive, as IAM compares). */
function actionMatches(pattern: string, action: string, service: string): boolean {
  if (pattern === "*") return true;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test(action) && pattern.toLowerCase().startsWith(`${service.toLowerCase()}:`);
}
