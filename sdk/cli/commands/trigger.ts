import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { TaskRunRecord } from "../../../functions/stores/types.ts";
import type { RunDescription, RunHandle, StepflowClient } from "../../client/index.ts";
import type { RunEvent } from "../../local/index.ts";
import { WaitTimeoutError } from "../../client/errors.ts";
import { CliError, EXIT_FAILED, EXIT_STILL_RUNNING } from "../private/cli-error.ts";
import type { CliIo } from "../private/io.ts";
import { loadFlows, pickFlow } from "../private/load-flows.ts";
import { buildParams, collect } from "../private/params.ts";
import { liveOutput, progressPrinter } from "../private/progress-printer.ts";

interface TriggerOptions {
  readonly flow?: string;
  readonly param: string[];
  readonly paramsJson?: string;
  readonly name?: string;
  readonly wait?: boolean;
  readonly timeout?: string;
  readonly region?: string;
  readonly resultsBucket?: string;
  readonly historyTable?: string;
}

/** `stepflow trigger <flow-or-file>`: starts a run of a deployed flow on AWS. */
export function triggerCommand(program: Command, io: CliIo): void {
  program
    .command("trigger")
    .description("start a run of a deployed flow on AWS; prints the run id and its console link")
    .argument(
      "<flow-or-file>",
      "a deployed flow's name, or a module exporting the flow (params are then validated)",
    )
    .option("--flow <name>", "the flow to start when the file exports several (flow or export name)")
    .option(
      "--param <name=value>",
      "a parameter (repeatable); numbers, booleans and JSON are parsed",
      collect,
      [],
    )
    .option("--params-json <json>", "parameters as a JSON object (--param wins)")
    .option("--name <name>", "the run id (execution name); default `<flow>-<time>-<random>`")
    .option("--wait", "follow the run's task progress until it ends; exit 1 unless it succeeds")
    .option(
      "--timeout <seconds>",
      "with --wait, stop waiting after this long and exit 124; the run goes on",
    )
    .option("--region <region>", "AWS region of the flow stack (default: the SDK's, e.g. AWS_REGION)")
    .option(
      "--results-bucket <name>",
      "results bucket, to print stored results (default: STEPFLOW_RESULTS_BUCKET)",
    )
    .option("--history-table <name>", "history table, for task progress (default: STEPFLOW_HISTORY_TABLE)")
    .action(async (target: string, o: TriggerOptions) => {
      // Checked before the run starts: a usage error must not leave a run behind.
      const timeout = timeoutMs(o.timeout);
      // Loaded on use: the AWS SDK would slow down the start-up of every command.
      const { StepflowClient } = await import("../../client/index.ts");
      const client = new StepflowClient({
        region: o.region,
        resultsBucket: o.resultsBucket,
        historyTable: o.historyTable,
      });
      const run = await start(client, target, o);
      io.stdout.write(`${run.runId}\n${run.consoleUrl}\n`);
      if (o.wait) await follow(run, timeout, o, io);
    });
}

async function start(client: StepflowClient, target: string, o: TriggerOptions): Promise<RunHandle> {
  const options = o.name === undefined ? {} : { name: o.name };
  if (!isFile(target)) {
    if (o.flow) throw new CliError(`\`--flow\` picks a flow from a file, but \`${target}\` is not a file`);
    return client.start(target, buildParams(undefined, o.param, o.paramsJson), options);
  }
  const flow = pickFlow(target, await loadFlows(target), o.flow);
  // Bad params throw ParamsError before anything is sent; main reports it with exit 2.
  return client.start(flow, buildParams(flow, o.param, o.paramsJson), options);
}

/** A file path rather than a flow name: flow names have no `.` or `/`. */
function isFile(target: string): boolean {
  return /[./\\]/.test(target) || existsSync(target);
}

/** `--timeout` in milliseconds. @throws CliError (exit 2) when it is not a number of seconds > 0. */
function timeoutMs(seconds: string | undefined): number | undefined {
  const timeout = seconds === undefined ? undefined : Number(seconds) * 1000;
  if (timeout !== undefined && !(timeout > 0))
    throw new CliError(`\`--timeout ${seconds}\` must be a number of seconds > 0`);
  return timeout;
}

async function follow(
  run: RunHandle,
  timeout: number | undefined,
  o: TriggerOptions,
  io: CliIo,
): Promise<void> {
  const print = progressPrinter(io.stderr, { live: liveOutput(io.stderr), summary: false });
  const withHistory = Boolean(o.historyTable ?? process.env.STEPFLOW_HISTORY_TABLE);
  if (!withHistory)
    io.stderr.write(
      "  (no history table: pass --history-table or set STEPFLOW_HISTORY_TABLE for task progress)\n",
    );
  const onTask = withHistory ? (t: TaskRunRecord) => taskEvent(t).forEach(print) : undefined;
  const ended = await run.wait({ timeout, onTask }).catch((error: unknown) => {
    // Not a failure of the run, nor a usage problem: say so with an exit code of its own.
    if (error instanceof WaitTimeoutError) throw new CliError(error.message, EXIT_STILL_RUNNING);
    throw error;
  });
  report(run, ended, io);
  if (ended.status !== "SUCCEEDED") throw new CliError("", EXIT_FAILED);
  try {
    io.stdout.write(`${JSON.stringify(await run.result(), null, 2)}\n`);
  } catch (error) {
    io.stderr.write(`  (result not printed: ${(error as Error).message})\n`);
  }
}

function report(run: RunHandle, ended: RunDescription, io: CliIo): void {
  const ms =
    ended.startedAt && ended.stoppedAt
      ? ` in ${ended.stoppedAt.getTime() - ended.startedAt.getTime()} ms`
      : "";
  const mark = ended.status === "SUCCEEDED" ? "✔" : "✗";
  io.stderr.write(`${mark} ${run.flow} ${ended.status}${ms}  (run ${run.runId})\n`);
  if (ended.error || ended.cause) io.stderr.write(`  ${ended.error ?? "Error"}: ${ended.cause ?? ""}\n`);
}

/** A history record as the local progress printer's events. */
function taskEvent(t: TaskRunRecord): RunEvent[] {
  const base = {
    flow: t.flow,
    runId: t.runId,
    state: t.state,
    task: t.task,
    index: t.mapIndex,
    attempt: t.attempt,
  };
  if (t.status === "RUNNING") return [{ ...base, type: "task-started" }];
  if (t.status === "SUCCEEDED")
    return [{ ...base, type: "task-succeeded", durationMs: t.durationMs ?? 0, cached: t.cached ?? false }];
  if (t.status === "FAILED") {
    const error = t.error ?? { name: "Error", message: "" };
    return [{ ...base, type: "task-failed", durationMs: t.durationMs ?? 0, error }];
  }
  return [];
}
