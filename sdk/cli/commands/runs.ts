import type { Command } from "commander";
import { assertRunId } from "../../core/run-id.ts";
import { CliError } from "../private/cli-error.ts";
import { formatMs, formatStarted, runSummary, table } from "../private/format.ts";
import type { CliIo } from "../private/io.ts";
import { childRunsView, resultLocation, taskRunsView } from "../private/task-runs-view.ts";
import { projectDir, remoteHistoryOptions, wholeNumber } from "../private/options.ts";

interface RunsOptions {
  readonly flow?: string;
  readonly limit: string;
  readonly dir?: string;
  readonly remote?: string | boolean;
  readonly status?: string;
  readonly since?: string;
  readonly region?: string;
  readonly historyTable?: string;
}

/** `stepflow runs [runId]`: past local runs, or one run's task attempts. */
export function runsCommand(program: Command, io: CliIo): void {
  remoteHistoryOptions(program.command("runs"))
    .description("list past local runs, or show one run's task runs")
    .argument("[runId]", "a run id to show in detail")
    .option("--flow <name>", "only this flow's runs")
    .option("--limit <n>", "at most this many runs", "20")
    .option("--dir <dir>", "project folder of the history", ".stepflow")
    .option("--remote [flow]", "runs on AWS, from the flow stack's DynamoDB history (STEPFLOW_HISTORY_TABLE)")
    .option("--status <status>", "with --remote, only runs with this status")
    .option("--since <date>", "with --remote, only runs started since this date")
    .action(async (runId: string | undefined, o: RunsOptions) => {
      // Loaded on use: the local stores and the AWS SDK would slow down every command's start-up.
      if (o.remote) {
        const { remoteRuns } = await import("./runs-remote.ts");
        return remoteRuns(runId, { ...o, flow: typeof o.remote === "string" ? o.remote : o.flow }, io);
      }
      projectDir(o.dir ?? ".stepflow");
      if (runId) return showRun(runId, o, io);
      const limit = wholeNumber("limit", o.limit, 1);
      const { listLocalRuns } = await import("../../local/runs.ts");
      const runs = await listLocalRuns({ dir: o.dir, flow: o.flow, limit, onProblem: warnTo(io) });
      if (runs.length === 0) {
        io.stdout.write(
          `no local runs${o.flow ? ` of flow \`${o.flow}\`` : ""} in \`${o.dir}\`; start one with \`stepflow run <file>\`\n`,
        );
        return;
      }
      const rows = runs.map((r) => [
        r.runId,
        r.flow,
        r.status,
        formatStarted(r.startedAt),
        formatMs(r.durationMs),
      ]);
      io.stdout.write(`${table(["RUN ID", "FLOW", "STATUS", "STARTED (UTC)", "DURATION"], rows)}\n`);
    });
}

async function showRun(runId: string, o: RunsOptions, io: CliIo): Promise<void> {
  assertRunId(runId, "argument `runId` of `stepflow runs`");
  const { getLocalRun } = await import("../../local/runs.ts");
  const { run, tasks, children } = await getLocalRun(runId, { dir: o.dir, onProblem: warnTo(io) });
  if (!run && tasks.length === 0) {
    throw new CliError(
      `run \`${runId}\` is not in the local history \`${o.dir}\`; list runs with \`stepflow runs\``,
    );
  }
  if (run) io.stdout.write(runSummary(run) + resultLocation(run.output, o.dir ?? ".stepflow"));
  io.stdout.write(taskRunsView(tasks) + childRunsView(children));
}

/** An unreadable history entry is skipped and told on stderr; the listing goes on. */
function warnTo(io: CliIo): (message: string) => void {
  return (message) => io.stderr.write(`warning: ${message}\n`);
}
