/**
 * A synthesized CloudFormation template, typed as far as the rehearsal reads it, and the
 * account it is deployed into.
 */

/** A CloudFormation resource as synthesized. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  /** The name of a condition in `Conditions` that decides whether the resource is created. */
  readonly Condition?: string;
  readonly DependsOn?: string | readonly string[];
}

/** A CloudFormation template (only the sections intrinsics read). */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Type: string; readonly Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
}

/** What CloudFormation returns for one created resource: `Ref` and `Fn::GetAtt` values. */
export interface PhysicalResource {
  /** What `Ref` returns (a name, an ARN or an id, depending on the type). */
  readonly ref: string;
  /** `Fn::GetAtt` values by attribute name (`Arn`, `Name`, ...). */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** The account, region and stack a template is deployed as. */
export interface DeployEnv {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  /** @default "aws" */
  readonly partition?: string;
  /** The stack's id, unique per stack creation. @default `arn:<partition>:cloudformation:<region>:<account>:stack/<stackName>/00000000-0000-4000-8000-000000000000` */
  readonly stackId?: string;
  /** @default "amazonaws.com" */
  readonly urlSuffix?: string;
  /** Values of the template's parameters. @default each parameter's `Default` */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Physical names/ids of created resources by logical id (e.g. as an emulator reports them).
   * @default names generated the way CloudFormation generates them (`<stack>-<logicalId>-<suffix>`)
   */
  readonly physical?: Readonly<Record<string, PhysicalResource>>;
}
