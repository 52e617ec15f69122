import { spawn } from "node:child_process";
import { once } from "node:events";
import type { Command } from "commander";
import { CliError, EXIT_FAILED } from "../private/cli-error.ts";
import type { CliIo } from "../private/io.ts";
import { loadable, loadFlows, pickFlow } from "../private/load-flows.ts";
import { projectDir, remoteHistoryOptions } from "../private/options.ts";
import { type LocalRunFlags, runAndPrint } from "./run.ts";

interface RetryOptions extends LocalRunFlags {
  readonly dir: string;
  readonly remote?: boolean;
  readonly wait?: boolean;
  readonly region?: string;
  readonly historyTable?: string;
}

/** `stepflow retry <runId>`: resumes a failed run, locally or (`--remote`) with RedriveExecution. */
export function retryCommand(program: Command, io: CliIo): void {
  remoteHistoryOptions(program.command("retry"))
    .description("run a failed run again, reusing every task result that succeeded in it")
    .argument("<runId>", "the failed run (see `stepflow runs`)")
    .argument("[file]", "the module that defines the flow (default: the one the failed run was started from)")
    .option("--dir <dir>", "project folder for results and history", ".stepflow")
    .option("--fast-retries", "retry failed tasks without waiting their retry delay")
    .option("--strict-secrets", 'fail tasks whose secret is not set, as on AWS (default: pass "" and warn)')
    .option("--json", "print the whole run as JSON on stdout instead of the result")
    .option("--remote", "redrive the run on AWS (RedriveExecution) instead of running it here")
    .option("--wait", "with --remote, wait for the run to end and say what ran again")
    .action(async (runId: string, fileArg: string | undefined, o: RetryOptions) => {
      if (o.remote) return remote(runId, o, io);
      const dir = projectDir(o.dir);
      // Loaded on use: the local engine would slow down the start-up of every command.
      const { findLocalRetry, retryLocal } = await import("../../local/index.ts");
      const found = await findLocalRetry(runId, { dir });
      const file = fileArg ?? found.file;
      if (!file) {
        throw new CliError(`run \`${runId}\` does not say which module defines flow \`${found.flow}\`; name it: \`stepflow retry ${runId} <file>\``);
      }
      if (!loadable(file)) return againWith(file);
      const flow = pickFlow(file, await loadFlows(file), found.flow);
      await runAndPrint(io, dir, o, (options) => retryLocal(flow, runId, options));
    });
}

/**
 * Runs this command again in a new CLI process that names the flow's module on its command line:
 * the compiled CLI bundles the modules named there with its own copy of stepflow, and the
 * module a run recorded is known only once its history is read.
 */
async function againWith(file: string): Promise<void> {
  const [node, bin, ...args] = process.argv;
  const child = spawn(node, [bin, ...args, file], { stdio: "inherit" });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new CliError("", code ?? EXIT_FAILED);
}

async function remote(runId: string, o: RetryOptions, io: CliIo): Promise<void> {
  // Loaded on use: the AWS SDK would slow down the start-up of every command.
  const { StepflowClient } = await import("../../client/index.ts");
  const client = new StepflowClient({ region: o.region, historyTable: o.historyTable });
  const { run, report } = await client.retry(runId);
  io.stdout.write(`${run.runId}\n${run.consoleUrl}\n`);
  if (!o.wait) return;
  const ended = await run.wait();
  const { reused, ranAgain } = await report();
  const calls = (list: readonly { state: string; mapIndex?: number }[]) =>
    list.map((c) => (c.mapIndex === undefined ? c.state : `${c.state}[${c.mapIndex}]`)).join(", ") || "none";
  io.stderr.write(`  reused ${reused.length} task calls; ran again: ${calls(ranAgain)}\n`);
  io.stderr.write(`${ended.status === "SUCCEEDED" ? "✔" : "✗"} ${run.flow} ${ended.status}  (run ${run.runId})\n`);
  if (o.json) io.stdout.write(`${JSON.stringify({ status: ended.status, reused, ranAgain }, null, 2)}\n`);
  if (ended.status !== "SUCCEEDED") throw new CliError("", EXIT_FAILED);
}
