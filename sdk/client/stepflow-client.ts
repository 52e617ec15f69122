import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { awsHistoryStore } from "../../functions/stores/aws-history-store.ts";
import { awsResultStore } from "../../functions/stores/aws-result-store.ts";
import { type FlowRunRecord, type HistoryStore, type ResultStore } from "../../functions/stores/types.ts";
import { compile } from "../compile/compile.ts";
import type { AnyFlow, FlowParams } from "../define/flow.ts";
import { checkInputSize } from "../define/input-size.ts";
import { ClientConfigError, RunNotFoundError } from "./errors.ts";
import { awsCall, type RetryPolicy } from "./private/aws-call.ts";
import { assertRunId, flowOfRunId, newRunId } from "../core/run-id.ts";
import { secretPrefix, stateMachineName } from "../core/deploy-names.ts";
import { runExpress } from "./private/express.ts";
import { readRedriveReport, redrive, type RedriveReport } from "./private/redrive.ts";
import { setSecret } from "./private/secrets.ts";
import { regionOf, stateMachineResolver } from "./private/state-machines.ts";
import { RunHandle, type RunHandleDeps } from "./run-handle.ts";
import type {
  RunRecord,
  RunResult,
  RunsFilter,
  SecretWrite,
  StartOptions,
  StepflowClientOptions,
} from "./types.ts";
import type { OutputShape } from "../core/protocol.ts";

/**
 * The arguments of `start` after the flow: params are optional only when every param is, and a
 * flow without params takes none.
 */
export type StartArgs<F extends AnyFlow> = [keyof FlowParams<F>] extends [never]
  ? [params?: Record<string, never>, options?: StartOptions]
  : // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends P` asks "are all params optional"
    {} extends FlowParams<F>
    ? [params?: FlowParams<F>, options?: StartOptions]
    : [params: FlowParams<F>, options?: StartOptions];

/**
 * Starts and follows flow runs on AWS, and reads their history. Region and credentials follow
 * the AWS SDK's default chain; pass ready clients to test with aws-sdk-client-mock.
 * @example
 * const client = new StepflowClient({ region: "eu-west-1" });
 * const run = await client.start(toTheMoon, { coin: "BTC" });
 * console.log(run.runId, run.consoleUrl);
 * console.log(await run.result());
 */
export class StepflowClient {
  private readonly sfn: SFNClient;
  /** Config of the SDK clients the client builds itself: the region when one is given. */
  private readonly sdkConfig: { readonly region?: string };
  private readonly retryPolicy: RetryPolicy;
  private readonly stage: string | undefined;
  private readonly arnOf: (flow: string) => Promise<string>;
  private readonly shapes = new WeakMap<AnyFlow, OutputShape>();
  private resultStore: ResultStore | undefined;
  private historyStore: HistoryStore | undefined;
  private secretsClient: SecretsManagerClient | undefined;

  constructor(private readonly options: StepflowClientOptions = {}) {
    this.sdkConfig = options.region === undefined ? {} : { region: options.region };
    this.sfn = options.sfn ?? new SFNClient(this.sdkConfig);
    this.stage = options.stage ?? (process.env.STEPFLOW_STAGE || undefined);
    this.retryPolicy = {
      maxAttempts: options.retry?.maxAttempts ?? 5,
      baseDelayMs: options.retry?.baseDelayMs ?? 200,
    };
    this.arnOf = stateMachineResolver({
      sfn: this.sfn,
      retry: this.retryPolicy,
      region: regionOf(this.sfn, options.region),
      accountId: options.accountId ?? process.env.STEPFLOW_ACCOUNT_ID,
      explicit: options.stateMachineArn,
      stage: this.stage,
    });
  }

  /**
   * Starts a run of a deployed flow. Given the flow object, the params are typed and validated
   * (defaults filled in) before anything is sent; given a flow name, they are sent as they are.
   * The execution input is the params object.
   * @throws ParamsError naming every bad parameter, before calling AWS.
   * @throws FlowNotDeployedError, RunNameTakenError, AccessDeniedError, ThrottledError.
   * @example const run = await client.start(toTheMoon, { coin: "BTC" }, { name: "btc-backfill-1" });
   */
  start<F extends AnyFlow>(flow: F, ...args: StartArgs<F>): Promise<RunHandle<RunResult<F>>>;
  start(
    flowName: string,
    params?: Readonly<Record<string, unknown>>,
    options?: StartOptions,
  ): Promise<RunHandle>;
  async start(
    flowOrName: AnyFlow | string,
    params?: unknown,
    options: StartOptions = {},
  ): Promise<RunHandle> {
    const isFlow = typeof flowOrName !== "string";
    const flow = isFlow ? flowOrName.flowName : flowOrName;
    // A flow's `parse` checks the size too; a run started by name gets the same check here.
    const input = isFlow ? flowOrName.parse(params ?? {}) : (params ?? {});
    if (!isFlow) checkInputSize(flow, input);
    const shape = isFlow ? this.shapeOf(flowOrName) : undefined;
    const name = options.name ?? newRunId(flow);
    assertRunId(name, "`start` option `name` (or omit `name` to get a generated one)");
    const stateMachineArn = await this.arnOf(flow);
    if (isFlow && flowOrName.options.type === "EXPRESS") {
      // DescribeExecution does not work on Express executions: run it synchronously instead.
      const ended = await runExpress(this.sfn, this.retryPolicy, { flow, name, stateMachineArn, input });
      return new RunHandle(flow, ended.executionArn, this.deps(shape), ended);
    }
    const out = await awsCall(
      { action: "states:StartExecution", flow, run: name, resource: stateMachineArn },
      this.retryPolicy,
      () => this.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })),
    );
    return new RunHandle(flow, out.executionArn ?? executionArnOf(stateMachineArn, name), this.deps(shape));
  }

  /**
   * A handle on an existing run, by execution ARN, or by run id and flow.
   * @example const run = await client.handle(toTheMoon, "to-the-moon-20250501T120000Z-k3x9qa");
   */
  async handle<F extends AnyFlow>(flow: F, runId: string): Promise<RunHandle<RunResult<F>>>;
  async handle(flow: string | undefined, runIdOrArn: string): Promise<RunHandle>;
  async handle(flowOrName: AnyFlow | string | undefined, runIdOrArn: string): Promise<RunHandle> {
    const isFlow = typeof flowOrName === "function";
    const shape = isFlow ? this.shapeOf(flowOrName) : undefined;
    let flow = isFlow ? flowOrName.flowName : flowOrName;
    if (runIdOrArn.startsWith("arn:")) {
      const machine = runIdOrArn.split(":")[6];
      const prefix = stateMachineName("", this.stage);
      flow ??= machine?.startsWith(prefix) ? machine.slice(prefix.length) : machine;
      return new RunHandle(flow ?? "", runIdOrArn, this.deps(shape));
    }
    assertRunId(runIdOrArn, "`handle` argument `runIdOrArn`");
    flow ??= flowOfRunId(runIdOrArn) ?? (await this.historyOf(runIdOrArn))?.flow;
    if (!flow) {
      throw new RunNotFoundError(
        `cannot tell which flow run \`${runIdOrArn}\` belongs to; pass the flow, or the execution ARN`,
      );
    }
    return new RunHandle(flow, executionArnOf(await this.arnOf(flow), runIdOrArn), this.deps(shape));
  }

  /**
   * A flow's runs from the history table, newest first.
   * @example const failed = await client.runs(toTheMoon, { status: "FAILED", since: "2025-05-01" });
   */
  async runs(flow: AnyFlow | string, filter: RunsFilter = {}): Promise<FlowRunRecord[]> {
    const name = typeof flow === "string" ? flow : flow.flowName;
    const runs = await this.history().listRuns(name, { status: filter.status, limit: filter.limit ?? 50 });
    if (filter.since === undefined) return [...runs];
    // Newest first: the runs since `since` are a prefix of the list, so `limit` still holds.
    const since = new Date(filter.since).toISOString();
    return runs.filter((r) => r.startedAt >= since);
  }

  /**
   * One run from the history table, with its task runs (every attempt, with its error).
   * @throws RunNotFoundError when the history has nothing of it.
   */
  async run(runId: string): Promise<RunRecord> {
    assertRunId(runId, "`run` argument `runId`");
    const { run, tasks, children = [] } = await this.history().getRun(runId);
    if (run) return { ...run, tasks, children };
    if (tasks.length === 0) {
      throw new RunNotFoundError(
        `run \`${runId}\` is not in history table \`${this.options.historyTable ?? process.env.STEPFLOW_HISTORY_TABLE}\`; check the run id (it is the execution name), or wait a few seconds if it just started`,
      );
    }
    // Task runs are written by the task Lambdas, the run by the recorder's status event, which may lag.
    const first = tasks.reduce((a, b) => (a.startedAt <= b.startedAt ? a : b));
    return {
      flow: first.flow,
      runId,
      status: "RUNNING",
      rank: 0,
      executionArn: "",
      stateMachineArn: "",
      startedAt: first.startedAt,
      tasks,
      children,
    };
  }

  /**
   * Resumes a failed, timed-out or aborted run (Standard, within 14 days) with `RedriveExecution`:
   * Step Functions runs the failed states again, Distributed Map child executions included, and
   * keeps every result that succeeded. The run keeps its run id; `report()` (after `run.wait()`)
   * reads from history which task calls ran again and which were reused.
   * @throws RunNotRedrivableError when Step Functions cannot redrive it.
   * @example const { run } = await client.retry("to-the-moon-20250501T120000Z-k3x9qa"); await run.wait();
   */
  async retry(runIdOrArn: string): Promise<{ run: RunHandle; redrivenAt: Date; report(): Promise<RedriveReport> }> {
    const run = await this.handle(undefined, runIdOrArn);
    const redrivenAt = await redrive(this.sfn, this.retryPolicy, run);
    return { run, redrivenAt, report: () => readRedriveReport(this.history(), run.runId, redrivenAt) };
  }

  /**
   * Stops a run (`StopExecution`); it ends ABORTED.
   * @example await client.cancel("to-the-moon-20250501T120000Z-k3x9qa");
   */
  async cancel(runIdOrArn: string, options: { readonly cause?: string } = {}): Promise<void> {
    await (await this.handle(undefined, runIdOrArn)).cancel(options);
  }

  /**
   * Stores a secret's value in Secrets Manager as `stepflow/<name>` (`<stage>-stepflow/<name>`
   * with a stage), where the flow stack grants its tasks to read it: creates the secret (the
   * stack does not), or puts a new value when it exists.
   * @example await client.setSecret("slack-webhook", process.env.WEBHOOK!);
   */
  async setSecret(name: string, value: string): Promise<SecretWrite> {
    this.secretsClient ??= this.options.secretsManager ?? new SecretsManagerClient(this.sdkConfig);
    return setSecret(this.secretsClient, this.retryPolicy, name, value, secretPrefix(this.stage));
  }

  private deps(shape: OutputShape | undefined): RunHandleDeps {
    return {
      sfn: this.sfn,
      retry: this.retryPolicy,
      results: () => this.results(),
      history: () => this.history(),
      shape,
    };
  }

  private shapeOf(flow: AnyFlow): OutputShape {
    let shape = this.shapes.get(flow);
    if (!shape) {
      shape = compile(flow).output;
      this.shapes.set(flow, shape);
    }
    return shape;
  }

  private async historyOf(runId: string): Promise<FlowRunRecord | undefined> {
    if (!this.options.history && !this.options.historyTable && !process.env.STEPFLOW_HISTORY_TABLE)
      return undefined;
    return (await this.history().getRun(runId)).run;
  }

  /** The results store; the bucket is only required once a stored value is actually read. */
  private results(): ResultStore {
    if (this.options.results) return this.options.results;
    const store = () => {
      const bucket = this.options.resultsBucket ?? process.env.STEPFLOW_RESULTS_BUCKET;
      if (!bucket) {
        throw new ClientConfigError(
          "this result is stored in the results bucket, and `StepflowClient` does not know it; pass `resultsBucket` (the flow stack's bucket name) or set `STEPFLOW_RESULTS_BUCKET`",
        );
      }
      this.resultStore ??= awsResultStore({ bucket, client: this.options.s3 ?? new S3Client(this.sdkConfig) });
      return this.resultStore;
    };
    return { get: async (key) => store().get(key), put: async (key, value) => store().put(key, value) };
  }

  /** The history store; its reads go through `awsCall` like every other AWS request of the client. */
  private history(): HistoryStore {
    if (this.historyStore) return this.historyStore;
    const table = this.options.historyTable ?? process.env.STEPFLOW_HISTORY_TABLE;
    const store = this.options.history ?? this.dynamoHistory(table);
    const read = <T>(send: () => Promise<T>) =>
      awsCall({ action: "dynamodb:Query", resource: table }, this.retryPolicy, send);
    this.historyStore = {
      putTaskRun: (record) => store.putTaskRun(record),
      putFlowRun: (record) => store.putFlowRun(record),
      getRun: (runId) => read(() => store.getRun(runId)),
      listRuns: (flow, query) => read(() => store.listRuns(flow, query)),
    };
    return this.historyStore;
  }

  private dynamoHistory(table: string | undefined): HistoryStore {
    if (!table) {
      throw new ClientConfigError(
        "run history is in the flow stack's DynamoDB table, and `StepflowClient` does not know it; pass `historyTable` or set `STEPFLOW_HISTORY_TABLE`",
      );
    }
    const base = this.options.dynamodb ?? new DynamoDBClient(this.sdkConfig);
    return awsHistoryStore({
      table,
      client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    });
  }
}

function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
}
