/**
 * Resolves the CloudFormation intrinsics of a synthesized template the way CloudFormation does
 * while it creates the stack: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`,
 * `Fn::Split`, `Fn::If` with `Conditions`, `Fn::FindInMap`, `Fn::Base64`, `Fn::GetAZs` and the
 * pseudo parameters, against the physical names/ids of the created resources (given, or
 * generated as CloudFormation generates them). What CloudFormation would reject (an
 * `Fn::Select` index out of range, a `Ref` to a missing resource) throws a `TemplateError`
 * naming the resource and property, so a stack that would roll back fails here first.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
import { StepflowError } from "stepflow";
import { type FullEnv, nameInRef, physicalResource, unknownAttribute } from "../private/cfn-physical.ts";
import type { CfnResource, CfnTemplate, DeployEnv, PhysicalResource } from "../private/cfn-template.ts";

export type { CfnResource, CfnTemplate, DeployEnv, PhysicalResource } from "../private/cfn-template.ts";

/** A template CloudFormation would fail to deploy; `name` is AWS's error name. */
export class TemplateError extends StepflowError {
  override name = "ValidationError";
}

/** `Ref: AWS::NoValue`: removes the property or list element that holds it. */
const NO_VALUE = Symbol("AWS::NoValue");

const NAME_PROPERTIES = [
  "FunctionName", "RoleName", "Path", "ManagedPolicyName", "BucketName", "TableName",
  "StateMachineName", "Name", "LogGroupName", "EventBusName", "GroupName", "QueueName", "TopicName",
];

/** Resolves intrinsics of one template, deployed as `env`. */
export class Resolver {
  private readonly env: FullEnv & { readonly stackId: string };
  private readonly physical = new Map<string, PhysicalResource>();
  private readonly conditions = new Map<string, boolean>();

  constructor(
    readonly template: CfnTemplate,
    private readonly deploy: DeployEnv,
  ) {
    const partition = deploy.partition ?? "aws";
    this.env = {
      partition,
      urlSuffix: "amazonaws.com",
      stackId: `arn:${partition}:cloudformation:${deploy.region}:${deploy.account}:stack/${deploy.stackName}/00000000-0000-4000-8000-000000000000`,
      ...deploy,
    };
  }

  /** Whether the resource is created (it has no `Condition`, or its condition is true). */
  exists(logicalId: string): boolean {
    const r = this.template.Resources[logicalId];
    return r !== undefined && (r.Condition === undefined || this.condition(r.Condition, logicalId));
  }

  /** What `Ref` returns for a resource. */
  ref(logicalId: string): string {
    return this.physicalOf(logicalId, logicalId).ref;
  }

  /** `Fn::GetAtt [logicalId, Arn]`. */
  arn(logicalId: string): string {
    return this.attribute(logicalId, "Arn", logicalId);
  }

  /** `Fn::GetAtt [logicalId, attribute]`. */
  attribute(logicalId: string, attribute: string, where = logicalId): string {
    const physical = this.physicalOf(logicalId, where);
    const value = physical.attributes?.[attribute];
    if (value === undefined) throw unknownAttribute(this.resource(logicalId, where).Type, logicalId, attribute);
    return value;
  }

  /** A resource's `Properties`, every intrinsic resolved (what the service receives). */
  properties(logicalId: string): Record<string, unknown> {
    const r = this.resource(logicalId, logicalId);
    return this.resolve(r.Properties ?? {}, `resource \`${logicalId}\` (${r.Type}) Properties`) as Record<string, unknown>;
  }

  /** Resolves every intrinsic in `value`; `where` names it in errors (a resource and property). */
  resolve(value: unknown, where = "the template"): unknown {
    const out = this.value(value, where);
    return out === NO_VALUE ? undefined : out;
  }

  /** Resolves `value` and checks it is a string. */
  string(value: unknown, where = "the template"): string {
    const resolved = this.resolve(value, where);
    if (typeof resolved !== "string") {
      throw new TemplateError(`${where}: expected a string, got ${JSON.stringify(resolved)}`);
    }
    return resolved;
  }

  private value(value: unknown, where: string): unknown {
    if (Array.isArray(value)) {
      return value.map((v, i) => this.value(v, `${where}[${i}]`)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== "object") return value;
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::") || keys[0] === "Condition")) {
      return this.intrinsic(keys[0], o[keys[0]], where);
    }
    const entries = keys.map((k) => [k, this.value(o[k], `${where}.${k}`)] as const);
    return Object.fromEntries(entries.filter(([, v]) => v !== NO_VALUE));
  }

  private intrinsic(fn: string, arg: unknown, where: string): unknown {
    switch (fn) {
      case "Ref":
        return this.refOf(String(arg), where);
      case "Fn::GetAtt": {
        const [id, ...attr] = typeof arg === "string" ? arg.split(".") : (arg as string[]);
        return this.attribute(id, this.string(attr.join("."), where), where);
      }
      case "Fn::Join": {
        const [separator, parts] = arg as [string, unknown];
        return this.list(parts, where, fn).map((p) => this.scalar(p, where, fn)).join(separator);
      }
      case "Fn::Split": {
        const [separator, text] = arg as [string, unknown];
        return this.string(text, where).split(separator);
      }
      case "Fn::Select":
        return this.select(arg as [unknown, unknown], where);
      case "Fn::Sub":
        return this.sub(arg, where);
      case "Fn::If": {
        const [name, then, otherwise] = arg as [string, unknown, unknown];
        return this.value(this.condition(name, where) ? then : otherwise, where);
      }
      case "Fn::FindInMap": {
        const [map, top, second] = (arg as unknown[]).map((a) => this.string(a, where));
        const found = this.template.Mappings?.[map]?.[top]?.[second];
        if (found === undefined) throw new TemplateError(`${where}: \`Fn::FindInMap [${map}, ${top}, ${second}]\` finds no value; CloudFormation would fail the stack`);
        return found;
      }
      case "Fn::Base64":
        return Buffer.from(this.string(arg, where)).toString("base64");
      case "Fn::GetAZs":
        return ["a", "b", "c"].map((z) => `${this.env.region}${z}`);
      case "Condition":
      case "Fn::Equals":
      case "Fn::Not":
      case "Fn::And":
      case "Fn::Or":
        return this.test({ [fn]: arg }, where);
      default:
        throw new TemplateError(`${where}: the rehearsal does not resolve \`${fn}\` (${JSON.stringify(arg)}); CloudFormation features beyond those FlowStack emits need support in infra/rehearse/intrinsics.ts`);
    }
  }

  private select([index, list]: [unknown, unknown], where: string): unknown {
    const i = Number(this.resolve(index, where));
    const items = this.list(list, where, "Fn::Select");
    if (!Number.isInteger(i) || i < 0 || i >= items.length) {
      throw new TemplateError(
        `${where}: \`Fn::Select\` index ${i} is out of range of a ${items.length}-element list ${JSON.stringify(items)}; CloudFormation would fail the stack ("Template error: Fn::Select cannot select nonexistent value at index ${i}") and roll it back. Build the value from names you know (e.g. \`Stack.formatArn\` with the resource name) instead of splitting an ARN`,
      );
    }
    return items[i];
  }

  private sub(arg: unknown, where: string): string {
    const [text, vars] = typeof arg === "string" ? [arg, {}] : (arg as [string, Record<string, unknown>]);
    return text.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
      if (name.startsWith("!")) return `\${${name.slice(1)}}`;
      if (name in vars) return this.scalar(vars[name], where, "Fn::Sub");
      const dot = name.indexOf(".");
      if (dot > 0 && !name.startsWith("AWS::")) return this.attribute(name.slice(0, dot), name.slice(dot + 1), where);
      return String(this.refOf(name, where));
    });
  }

  private refOf(name: string, where: string): unknown {
    const env = this.env;
    const pseudo: Record<string, unknown> = {
      "AWS::Region": env.region,
      "AWS::AccountId": env.account,
      "AWS::Partition": env.partition,
      "AWS::URLSuffix": env.urlSuffix,
      "AWS::StackName": env.stackName,
      "AWS::StackId": env.stackId,
      "AWS::NotificationARNs": [],
      "AWS::NoValue": NO_VALUE,
    };
    if (name in pseudo) return pseudo[name];
    const parameter = this.template.Parameters?.[name];
    if (parameter) return this.deploy.parameters?.[name] ?? parameter.Default ?? this.missing(`parameter \`${name}\` has no value and no Default`, where);
    return this.physicalOf(name, where).ref;
  }

  private physicalOf(logicalId: string, where: string): PhysicalResource {
    const cached = this.physical.get(logicalId);
    if (cached) return cached;
    const r = this.resource(logicalId, where);
    const given = this.deploy.physical?.[logicalId];
    const at = `resource \`${logicalId}\` (${r.Type})`;
    // A given physical id names the resource: attributes not given are derived from that name.
    const forced = given && nameInRef(r.Type, given.ref);
    const nameOf = (p: string) =>
      NAME_PROPERTIES.includes(p) && r.Properties?.[p] !== undefined
        ? this.string(r.Properties[p], `${at} ${p}`)
        : undefined;
    const named = (p: string) => (forced && p !== "Path" && p !== "EventBusName" && p !== "GroupName" ? forced : nameOf(p));
    const generated = physicalResource(r.Type, logicalId, named, this.env);
    const physical = given
      ? { ref: given.ref, attributes: { ...generated.attributes, ...given.attributes } }
      : generated;
    this.physical.set(logicalId, physical);
    return physical;
  }

  private resource(logicalId: string, where: string): CfnResource {
    const r = this.template.Resources[logicalId];
    if (!r) return this.missing(`the template has no resource \`${logicalId}\``, where);
    if (r.Condition !== undefined && !this.condition(r.Condition, where)) {
      return this.missing(`resource \`${logicalId}\` is not created (its condition \`${r.Condition}\` is false)`, where);
    }
    return r;
  }

  private condition(name: string, where: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const body = this.template.Conditions?.[name];
    if (body === undefined) return this.missing(`the template has no condition \`${name}\``, where);
    const result = this.test(body, `condition \`${name}\``);
    this.conditions.set(name, result);
    return result;
  }

  private test(body: unknown, where: string): boolean {
    const [[fn, arg]] = Object.entries(body as Record<string, unknown>);
    const args = arg as unknown[];
    switch (fn) {
      case "Condition":
        return this.condition(String(arg), where);
      case "Fn::Equals":
        return JSON.stringify(this.resolve(args[0], where)) === JSON.stringify(this.resolve(args[1], where));
      case "Fn::Not":
        return !this.test(args[0], where);
      case "Fn::And":
        return args.every((a) => this.test(a, where));
      case "Fn::Or":
        return args.some((a) => this.test(a, where));
      default:
        throw new TemplateError(`${where}: \`${fn}\` is not a condition function; CloudFormation would reject the template`);
    }
  }

  private list(value: unknown, where: string, fn: string): unknown[] {
    const resolved = this.resolve(value, where);
    if (!Array.isArray(resolved)) throw new TemplateError(`${where}: \`${fn}\` needs a list, got ${JSON.stringify(resolved)}; CloudFormation would reject the template`);
    return resolved;
  }

  private scalar(value: unknown, where: string, fn: string): string {
    const resolved = this.resolve(value, where);
    if (typeof resolved === "string" || typeof resolved === "number" || typeof resolved === "boolean") return String(resolved);
    throw new TemplateError(`${where}: \`${fn}\` needs strings, got ${JSON.stringify(resolved)}; CloudFormation would reject the template`);
  }

  private missing(problem: string, where: string): never {
    throw new TemplateError(`${where}: ${problem}; CloudFormation would fail the stack`);
  }
}
