import type { Command } from "commander";
import type { LocalRun, RunLocalOptions } from "../../local/index.ts";
import { warmWorkerPool } from "../../local/private/task-workers.ts";
import { CliError, EXIT_FAILED } from "../private/cli-error.ts";
import { formatMs } from "../private/format.ts";
import type { CliIo } from "../private/io.ts";
import { loadFlows, pickFlow } from "../private/load-flows.ts";
import { projectDir } from "../private/options.ts";
import { buildParams, collect } from "../private/params.ts";
import { liveOutput, progressPrinter } from "../private/progress-printer.ts";
import { printResult } from "../private/result-output.ts";

interface RunOptions extends LocalRunFlags {
  readonly flow?: string;
  readonly param: string[];
  readonly paramsJson?: string;
  readonly dir: string;
}

/** `stepflow run <file>`: runs a flow locally with live progress. */
export function runCommand(program: Command, io: CliIo): void {
  program
    .command("run")
    .description("run a flow on this machine, with live progress")
    .argument("<file>", "module that exports the flow, e.g. flows/crypto-dip.ts")
    .option("--flow <name>", "the flow to run when the file exports several (flow or export name)")
    .option(
      "--param <name=value>",
      "a parameter (repeatable); numbers, booleans and JSON are parsed",
      collect,
      [],
    )
    .option("--params-json <json>", "parameters as a JSON object (--param wins)")
    .option("--dir <dir>", "project folder for results and history", ".stepflow")
    .option("--fast-retries", "retry failed tasks without waiting their retry delay")
    .option("--strict-secrets", 'fail tasks whose secret is not set, as on AWS (default: pass "" and warn)')
    .option("--json", "print the whole run as JSON on stdout instead of the result")
    .action(async (file: string, o: RunOptions) => {
      // The task worker (runs use `isolation: "worker"`) starts now: it loads the flow while this
      // thread loads it and the local engine, instead of after.
      warmWorkerPool();
      const dir = projectDir(o.dir);
      const flow = pickFlow(file, await loadFlows(file), o.flow);
      // ParamsError, naming every bad field, before the run starts (main: exit 2). The parsed
      // value is passed on: runLocal does not validate it again.
      const params = flow.parse(buildParams(flow, o.param, o.paramsJson));
      // Loaded on use: the local engine would slow down the start-up of every command.
      const { runLocal } = await import("../../local/index.ts");
      await runAndPrint(io, dir, o, (options) => runLocal(flow, params, options));
    });
}

/** What `runAndPrint` needs of the command's options. */
export interface LocalRunFlags {
  readonly fastRetries?: boolean;
  readonly strictSecrets?: boolean;
  readonly json?: boolean;
}

/**
 * Runs `start` with live progress on stderr, SIGINT/SIGTERM aborting the run, then prints the
 * outcome and the result (or the whole run with `--json`): `stepflow run` and `stepflow retry`.
 * @throws CliError with exit 1 when the run did not succeed.
 */
export async function runAndPrint(
  io: CliIo,
  dir: string,
  o: LocalRunFlags,
  start: (options: RunLocalOptions) => Promise<LocalRun>,
): Promise<LocalRun> {
  const controller = new AbortController();
  // SIGTERM (`kill`) as SIGINT: the run ends ABORTED with its history terminal, then exits.
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigint);
  let run: LocalRun;
  try {
    run = await start({
      dir,
      fastRetries: o.fastRetries,
      missingSecrets: o.strictSecrets ? "fail" : "empty",
      // As a Lambda is stopped at its timeout: a task attempt in CPU-bound code past its `timeout`
      // (or the flow's, or a SIGINT meanwhile) is stopped, not waited for.
      isolation: "worker",
      signal: controller.signal,
      onEvent: progressPrinter(io.stderr, { live: liveOutput(io.stderr), fastRetries: o.fastRetries }),
    });
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
  report(run, io);
  if (o.json) io.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  else if (run.status === "SUCCEEDED") printResult(run, io, dir);
  if (run.status !== "SUCCEEDED") throw new CliError("", EXIT_FAILED);
  return run;
}

/** The run's last line on stderr: its status, and where and why it failed. */
function report(run: LocalRun, io: CliIo): void {
  const e = run.error;
  if (run.retryOf) {
    const reused = run.reused?.length ?? 0;
    io.stderr.write(`  retry of run ${run.retryOf}: ${reused} task calls reused, ${run.tasks.length} attempts ran again\n`);
  }
  if (run.status === "SUCCEEDED") {
    io.stderr.write(`✔ ${run.flow} SUCCEEDED in ${formatMs(run.durationMs)}  (run ${run.runId})\n`);
    return;
  }
  const at = `${e?.mapIndex === undefined ? "" : `, item ${e.mapIndex}`}${e?.runId && e.runId !== run.runId ? `, run ${e.runId}` : ""}`;
  // A limit breach names a state that may be no task's (a Map's output, say).
  const where = e?.task
    ? ` in task \`${e.task}\` (state \`${e.state}\`${at})`
    : e?.state
      ? ` in state \`${e.state}\`${at ? ` (${at.slice(2)})` : ""}`
      : "";
  io.stderr.write(`✗ ${run.flow} ${run.status} after ${formatMs(run.durationMs)}${where}  (run ${run.runId})\n`);
  if (e) io.stderr.write(`  ${e.name}: ${e.message}\n`);
}
