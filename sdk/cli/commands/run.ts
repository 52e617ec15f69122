import type { Command } from "commander";
import type { LocalRun } from "../../local/index.ts";
import { CliError, EXIT_FAILED } from "../private/cli-error.ts";
import { formatMs } from "../private/format.ts";
import type { CliIo } from "../private/io.ts";
import { loadFlows, pickFlow } from "../private/load-flows.ts";
import { buildParams, collect } from "../private/params.ts";
import { progressPrinter } from "../private/progress-printer.ts";

interface RunOptions {
  readonly flow?: string;
  readonly param: string[];
  readonly paramsJson?: string;
  readonly dir?: string;
  readonly fastRetries?: boolean;
  readonly strictSecrets?: boolean;
  readonly json?: boolean;
}

/** Longest result printed in full; longer ones are cut (the history keeps the run). */
const RESULT_CHARS = 10_000;

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
      const flow = pickFlow(file, await loadFlows(file), o.flow);
      const params = buildParams(flow, o.param, o.paramsJson);
      flow.parse(params); // ParamsError, naming every bad field, before the run starts (main: exit 2)
      // Loaded on use: the local engine would slow down the start-up of every command.
      const { runLocal } = await import("../../local/index.ts");
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once("SIGINT", onSigint);
      let run: LocalRun;
      try {
        run = await runLocal(flow, params, {
          dir: o.dir,
          fastRetries: o.fastRetries,
          missingSecrets: o.strictSecrets ? "fail" : "empty",
          signal: controller.signal,
          onEvent: progressPrinter(io.stderr, flow.flowName),
        });
      } finally {
        process.off("SIGINT", onSigint);
      }
      report(run, io, o.json ?? false);
    });
}

function report(run: LocalRun, io: CliIo, json: boolean): void {
  const e = run.error;
  if (run.status === "SUCCEEDED") {
    io.stderr.write(`✔ ${run.flow} SUCCEEDED in ${formatMs(run.durationMs)}  (run ${run.runId})\n`);
  } else {
    const at = `${e?.index === undefined ? "" : `, item ${e.index}`}${e?.runId && e.runId !== run.runId ? `, run ${e.runId}` : ""}`;
    // A limit breach names a state that may be no task's (a Map's output, say).
    const where = e?.task
      ? ` in task \`${e.task}\` (state \`${e.state}\`${at})`
      : e?.state
        ? ` in state \`${e.state}\`${at ? ` (${at.slice(2)})` : ""}`
        : "";
    io.stderr.write(
      `✗ ${run.flow} ${run.status} after ${formatMs(run.durationMs)}${where}  (run ${run.runId})\n`,
    );
    if (e) io.stderr.write(`  ${e.name}: ${e.message}\n`);
  }
  if (json) {
    io.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  } else if (run.status === "SUCCEEDED") {
    const text = JSON.stringify(run.result ?? null, null, 2);
    const cut =
      text.length > RESULT_CHARS
        ? `${text.slice(0, RESULT_CHARS)}\n... (${text.length} characters; \`stepflow runs ${run.runId}\` shows the run)`
        : text;
    io.stdout.write(`${cut}\n`);
  }
  if (run.status !== "SUCCEEDED") throw new CliError("", EXIT_FAILED);
}
