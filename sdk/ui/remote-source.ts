import {
  DescribeStateMachineForExecutionCommand,
  ListStateMachinesCommand,
  type ListStateMachinesCommandOutput,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { awsHistoryStore } from "../../functions/stores/aws-history-store.ts";
import { awsResultStore } from "../../functions/stores/aws-result-store.ts";
import { consoleUrl } from "../../functions/status-event.ts";
import type { HistoryStore, ResultStore, TaskLogLine, TaskRunRecord } from "../../functions/stores/types.ts";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { resolveOutput } from "../../functions/resolve-output.ts";
import { ClientConfigError } from "../client/errors.ts";
import { namePrefix } from "../core/deploy-names.ts";
import { attemptDetail, sameAttempt } from "./local-source.ts";
import { machineOfDefinition, taskFunctionOf } from "./private/deployed-machine.ts";
import { errorText, runView, summaryOf } from "./private/views.ts";
import { remoteAttemptLogs } from "./private/remote-logs.ts";
import { lazy } from "../../functions/private/lazy.ts";
import type { RunMachine, RunSource } from "./types.ts";

/** Options of `remoteRunSource`; every AWS client is injectable (emulators, tests). */
export interface RemoteRunSourceOptions {
  /** @default the SDK's default region */
  readonly region?: string;
  /** The flow stacks' history table. @default env `STEPFLOW_HISTORY_TABLE` */
  readonly historyTable?: string;
  /** The results bucket, to show stored results. @default env `STEPFLOW_RESULTS_BUCKET` */
  readonly resultsBucket?: string;
  /** The deploy stage (`<stage>-stepflow-<flow>` machines). @default env `STEPFLOW_STAGE` */
  readonly stage?: string;
  readonly sfn?: SFNClient;
  /** Where task attempts' log lines are read. @default a client for `region`, built on first use */
  readonly logs?: CloudWatchLogsClient;
  /** Finds each task function's log group. @default a client for `region`, built on first use */
  readonly lambda?: LambdaClient;
  readonly history?: HistoryStore;
  readonly results?: ResultStore;
}

/**
 * Runs on AWS: the history table the flow stacks' recorder and task Lambdas write, each run's
 * state machine as it ran (DescribeStateMachineForExecution), and a console link per run.
 */
export function remoteRunSource(options: RemoteRunSourceOptions = {}): RunSource {
  const config = options.region ? { region: options.region } : {};
  const sfn = options.sfn ?? new SFNClient(config);
  const table = options.historyTable ?? process.env.STEPFLOW_HISTORY_TABLE;
  if (!options.history && !table)
    throw new ClientConfigError("`stepflow ui --remote` reads the flow stacks' history table; pass `--history-table <name>` or set `STEPFLOW_HISTORY_TABLE`");
  const history = options.history ?? awsHistoryStore({ table: table!, clientConfig: config });
  const bucket = options.resultsBucket ?? process.env.STEPFLOW_RESULTS_BUCKET;
  const results = options.results ?? (bucket ? awsResultStore({ bucket, clientConfig: config }) : undefined);
  const prefix = `${namePrefix(options.stage ?? (process.env.STEPFLOW_STAGE || undefined))}-`;
  const machines = new Map<string, Promise<RunMachine | undefined>>();
  const logsOf = remoteAttemptLogs({
    logs: lazy(async () => options.logs ?? new (await import("@aws-sdk/client-cloudwatch-logs")).CloudWatchLogsClient(config)),
    lambda: lazy(async () => options.lambda ?? new (await import("@aws-sdk/client-lambda")).LambdaClient(config)),
  });
  const machineOf = (executionArn: string) => {
    let m = machines.get(executionArn);
    if (!m) {
      m = sfn
        .send(new DescribeStateMachineForExecutionCommand({ executionArn }))
        .then((d) => machineOfDefinition(d.name ?? "", JSON.parse(d.definition ?? "{}")))
        .catch(() => undefined);
      machines.set(executionArn, m);
    }
    return m;
  };
  return {
    kind: "remote",
    async listRuns(filter) {
      const flows = filter.flow ? [filter.flow] : await deployedFlows(sfn, prefix);
      const query = { status: filter.status, limit: filter.limit ?? 100 };
      const lists = await Promise.all(flows.map((f) => history.listRuns(f, query)));
      return lists
        .flat()
        .sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))
        .slice(0, query.limit)
        .map(summaryOf);
    },
    async getRun(runId) {
      const details = await history.getRun(runId);
      const arn = details.run?.executionArn;
      return runView(details, arn ? await machineOf(arn) : undefined, arn ? consoleUrl(arn) : undefined);
    },
    async getAttempt(runId, key) {
      const { run, tasks } = await history.getRun(runId);
      const record = tasks.find((t) => sameAttempt(t, key));
      if (!record) return undefined;
      // Inline results need no bucket: the store is asked only for a stored value.
      const store: ResultStore = results ?? {
        get: async () => {
          throw new ClientConfigError("this result is in the results bucket; pass its name in `STEPFLOW_RESULTS_BUCKET`");
        },
        put: async () => 0,
      };
      const machine = run?.executionArn ? await machineOf(run.executionArn) : undefined;
      const [detail, logs] = await Promise.all([attemptDetail(record, (value) => resolveOutput(store, value)), readLogs(logsOf, record, machine)]);
      return { ...detail, logs };
    },
    async retry(runId) {
      // Loaded on use: the client (and its compiler) only for this button.
      const { StepflowClient } = await import("../client/index.ts");
      const client = new StepflowClient({ ...config, sfn, history, ...(table ? { historyTable: table } : {}) });
      const { run } = await client.retry(runId);
      return { runId: run.runId };
    },
    async version(runId) {
      // Polled every few seconds: the newest run of the list and the run's attempts are enough.
      const list = await this.listRuns({ limit: 20 });
      const run = runId ? await history.getRun(runId) : undefined;
      return JSON.stringify([list.map((r) => [r.runId, r.status]), run?.run?.status, run?.tasks.map((t) => t.status).join("")]);
    },
  };
}

/**
 * The attempt's lines from CloudWatch Logs; when they cannot be read, one line saying why (the
 * panel still shows the attempt's error and result).
 */
async function readLogs(
  logsOf: ReturnType<typeof remoteAttemptLogs>,
  record: TaskRunRecord,
  machine: RunMachine | undefined,
): Promise<TaskLogLine[]> {
  const fn = machine ? taskFunctionOf(machine.definition, record.state) : undefined;
  const time = new Date().toISOString();
  if (!fn) return [{ level: "warn", message: `the log lines of state \`${record.state}\` cannot be found: the run's state machine does not name its Lambda function`, time }];
  try {
    return await logsOf(record, fn);
  } catch (error) {
    return [{ level: "warn", message: `could not read the attempt's log lines from CloudWatch Logs (\`logs:FilterLogEvents\`, \`lambda:GetFunctionConfiguration\`): ${errorText(error)}`, time }];
  }
}

/** The flows deployed in the account and region: state machines named `<prefix><flow>`. */
async function deployedFlows(sfn: SFNClient, prefix: string): Promise<string[]> {
  const flows: string[] = [];
  let nextToken: string | undefined;
  do {
    const page: ListStateMachinesCommandOutput = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    for (const m of page.stateMachines ?? []) if (m.name?.startsWith(prefix)) flows.push(m.name.slice(prefix.length));
    nextToken = page.nextToken;
  } while (nextToken);
  return flows;
}
