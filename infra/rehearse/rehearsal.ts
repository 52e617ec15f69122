/**
 * A rehearsal of `cdk deploy` and a run, on this machine: the flows' stack is synthesized,
 * deployed by CloudFormation into an emulated AWS account (moto 5.2.1), and each run is started
 * through `StepflowClient`, executed by moto's Step Functions interpreter with every Lambda task
 * running its real bundle, every AWS request of a function checked against its role, and the
 * status-change events delivered to the deployed rule's targets.
 * @example
 * const rehearsal = await Rehearsal.start({ flows: [hello] });
 * try { const run = await rehearsal.run(hello, { name: "Ada" }); } finally { await rehearsal.stop(); }
 */
import { rmSync } from "node:fs";
import type { Server } from "node:http";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DescribeStateMachineCommand, SFNClient } from "@aws-sdk/client-sfn";
import { type AnyFlow, compile } from "stepflow";
import { collectFlows } from "../../sdk/graph/collect.ts";
import type { GraphFlow } from "../../sdk/graph/types.ts";
import { StepflowClient } from "stepflow/client";
import { stateMachineName } from "../../sdk/core/deploy-names.ts";
import { RehearsalAccessDeniedError } from "./errors.ts";
import { type Assembly, synthesize } from "./private/assembly.ts";
import { deployStack } from "./private/deploy-stack.ts";
import { type DeployedStack, readDeployedStack } from "./private/deployed-stack.ts";
import { IamGuard, logStreamName } from "./private/iam-guard.ts";
import { LambdaPool, type RehearsalFunction } from "./private/lambda-pool.ts";
import { type MotoProcess, startMoto } from "./private/moto-process.ts";
import { startProxy } from "./private/proxy.ts";
import { type RehearsalRun, runFlow } from "./private/run-flow.ts";
import { StatusDelivery } from "./private/status-delivery.ts";

export type { RehearsalRun } from "./private/run-flow.ts";

/** Options of `Rehearsal.start`. */
export interface RehearsalOptions {
  /** The flows to deploy (their subflows are added, as in a `FlowStack`). */
  readonly flows: readonly AnyFlow[];
  /** @default "StepflowRehearsal" */
  readonly stackName?: string;
  /** @default "us-east-1" */
  readonly region?: string;
  /** @default "123456789012" */
  readonly account?: string;
  /**
   * Values of the secrets the flows use, by stepflow name (or a function asking for one; an
   * `undefined` value leaves the secret unset, as before `stepflow secret set`). Stored after
   * the deploy as `stepflow secret set` stores them. @default none set
   */
  readonly secrets?: Readonly<Record<string, string>> | ((name: string) => Promise<string | undefined>);
  /** Receives each line a deployed function logs. @default discarded */
  readonly onLog?: (functionLogicalId: string, line: string) => void;
}

/** Credentials of requests the rehearsal itself makes (deploy, client): not a deployed role. */
const OPERATOR = { accessKeyId: "REHEARSALOPERATOR", secretAccessKey: "rehearsal" };

/** A deployed stack in a running emulated account. */
export class Rehearsal {
  /** Every IAM denial so far (requests of functions, and what the deploy checks found). */
  readonly denials: string[] = [];
  private readonly keys = new Map<string, RehearsalFunction>();
  private constructor(
    readonly env: { readonly account: string; readonly region: string; readonly stackName: string },
    private readonly parts: {
      readonly assembly: Assembly;
      readonly moto: MotoProcess;
      readonly proxy: Server;
      readonly endpoint: string;
      readonly pool: LambdaPool;
    },
    private stack?: DeployedStack,
    private delivery?: StatusDelivery,
    private guard?: IamGuard,
  ) {}

  /**
   * Synthesizes and deploys `options.flows`; throws `RehearsalDeployError` when CloudFormation
   * would not deploy the stack, `AccessDenied` when a role lacks what its Lambda or state
   * machine needs, `RehearsalSetupError` when moto is missing.
   */
  static async start(options: RehearsalOptions): Promise<Rehearsal> {
    const env = {
      account: options.account ?? "123456789012",
      region: options.region ?? "us-east-1",
      stackName: options.stackName ?? "StepflowRehearsal",
    };
    const assembly = synthesize(options.flows, env.stackName);
    let motoPort = 0;
    const self: { current?: Rehearsal } = {};
    const proxy = await startProxy(0, {
      get motoPort() {
        return motoPort;
      },
      scope: { ...env, secretArn: (name) => self.current?.secretArn(name) ?? name },
      functionNamed: (name) => self.current?.functionNamed(name),
      functionByKey: (key) => self.current?.keys.get(key),
      invoke: (fn, event) => self.current!.parts.pool.invoke(fn, event),
      authorize: (fn, ask) => self.current!.guard!.authorize(fn, ask),
      onDenied: (reason) => self.current?.denials.push(reason),
    });
    const endpoint = `http://127.0.0.1:${proxy.port}`;
    const keyOf = new Map<string, string>();
    const pool = new LambdaPool(
      (fn) => lambdaEnvironment(fn, env.region, endpoint, keyOf.get(fn.logicalId) ?? ""),
      (fn, line) => options.onLog?.(fn.logicalId, line),
    );
    const moto = await startMoto(proxy.port, env.region, env.account).catch((error: unknown) => {
      proxy.server.close();
      rmSync(assembly.root, { recursive: true, force: true });
      throw error;
    });
    motoPort = moto.port;
    const rehearsal = new Rehearsal(env, { assembly, moto, proxy: proxy.server, endpoint, pool });
    self.current = rehearsal;
    try {
      await rehearsal.deploy(keyOf);
      await rehearsal.setSecrets(secretNames(options.flows), options.secrets ?? {});
    } catch (error) {
      await rehearsal.stop();
      throw error;
    }
    return rehearsal;
  }

  /** Runs `flow` with `params` in the deployed stack and waits for it to end. */
  run(flow: AnyFlow, params: unknown, options: { readonly timeoutMs?: number } = {}): Promise<RehearsalRun> {
    const stack = this.deployed();
    return runFlow(flow, params, {
      client: this.client(stack),
      sfn: this.sdk(SFNClient),
      stack,
      delivery: this.delivery!,
      invoke: (fn, event) => this.parts.pool.invoke(fn, event),
      denials: this.denials,
      timeoutMs: options.timeoutMs ?? 10 * 60_000,
    });
  }

  /** A `StepflowClient` on the deployed stack (for reading history, results, more runs). */
  client(stack: DeployedStack = this.deployed()): StepflowClient {
    return new StepflowClient({
      region: this.env.region,
      sfn: this.sdk(SFNClient),
      s3: this.sdk(S3Client),
      dynamodb: this.sdk(DynamoDBClient),
      secretsManager: this.sdk(SecretsManagerClient),
      historyTable: stack.historyTable,
      resultsBucket: stack.resultsBucket,
      stateMachineArn: (flow) => stack.stateMachines.get(stateMachineName(flow))?.arn,
    });
  }

  /** Stops the functions, the proxy and moto, and removes the cloud assembly. */
  async stop(): Promise<void> {
    this.parts.pool.stop();
    await new Promise<void>((resolve) => this.parts.proxy.close(() => resolve()));
    this.parts.proxy.closeAllConnections();
    await this.parts.moto.stop();
    rmSync(this.parts.assembly.root, { recursive: true, force: true });
  }

  private async deploy(keyOf: Map<string, string>): Promise<void> {
    const { assembly } = this.parts;
    const physical = await deployStack(
      assembly,
      { s3: this.sdk(S3Client), cloudformation: this.sdk(CloudFormationClient) },
      this.env,
    );
    const stack = await readDeployedStack(assembly, physical, this.sdk(LambdaClient));
    // Each function signs with its own access key id, so the proxy knows which role asks.
    let n = 0;
    for (const fn of stack.functions.values()) {
      const key = `ASIAREHEARSAL${String(n++).padStart(7, "0")}`;
      keyOf.set(fn.logicalId, key);
      this.keys.set(key, fn);
    }
    this.stack = stack;
    this.guard = IamGuard.of(assembly.template, physical, this.env);
    this.delivery = await StatusDelivery.load(
      this.sdk(EventBridgeClient),
      (arn) => [...stack.functions.values()].find((f) => f.arn === arn),
      this.env,
    );
    await this.checkRoles(stack);
  }

  private async setSecrets(names: readonly string[], values: NonNullable<RehearsalOptions["secrets"]>): Promise<void> {
    const client = this.client();
    for (const name of names) {
      const value = typeof values === "function" ? await values(name) : values[name];
      if (value !== undefined) await client.setSecret(name, value);
    }
  }

  /** What the Lambda service and Step Functions do as the stack's roles, before any run. */
  private async checkRoles(stack: DeployedStack): Promise<void> {
    const guard = this.guard!;
    const sfn = this.sdk(SFNClient);
    for (const fn of stack.functions.values()) this.denials.push(...(await guard.lambdaServiceDenials(fn, this.env)));
    for (const machine of stack.stateMachines.values()) {
      const { definition } = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machine.arn }));
      this.denials.push(...(await guard.machineDenials(machine.logicalId, machine.arn, definition ?? "{}")));
    }
    if (this.denials.length > 0) throw new RehearsalAccessDeniedError([...this.denials]);
  }

  private deployed(): DeployedStack {
    if (!this.stack) throw new Error("the rehearsal has no deployed stack (start it with `Rehearsal.start`)");
    return this.stack;
  }

  private functionNamed(name: string): RehearsalFunction | undefined {
    const short = name.includes(":function:") ? name.split(":function:")[1].split(":")[0] : name;
    return [...(this.stack?.functions.values() ?? [])].find((f) => f.name === short);
  }

  /** A secret's ARN; one the stack does not create gets a suffix as Secrets Manager adds one. */
  private secretArn(name: string): string {
    return this.stack?.secrets.get(name) ?? `arn:aws:secretsmanager:${this.env.region}:${this.env.account}:secret:${name}-AbCdEf`;
  }

  private sdk<C>(Client: new (config: object) => C): C {
    return new Client({
      region: this.env.region,
      endpoint: this.parts.endpoint,
      credentials: OPERATOR,
      forcePathStyle: true,
      maxAttempts: 1,
    });
  }
}

/** The secrets the flows (and their subflows) use, as `FlowStack` declares them. */
function secretNames(flows: readonly GraphFlow[]): string[] {
  const all = collectFlows(flows);
  const names = all.flatMap((f) => [
    ...compile(f).tasks.flatMap((t) => t.secrets),
    ...f.options.notify.map((n) => n.secret),
  ]);
  return [...new Set(names)];
}

/** The variables Lambda's runtime sets, with the function's own credentials and the proxy as endpoint. */
function lambdaEnvironment(fn: RehearsalFunction, region: string, endpoint: string, key: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    TZ: "UTC",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: key,
    AWS_SECRET_ACCESS_KEY: "rehearsal",
    AWS_SESSION_TOKEN: `rehearsal-session-${fn.logicalId}`,
    AWS_ENDPOINT_URL: endpoint,
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(fn),
    STEPFLOW_REHEARSE_FUNCTION_ARN: fn.arn,
  };
}
