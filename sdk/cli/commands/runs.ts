import type { Command } from "commander";
import { getLocalRun, listLocalRuns } from "../../local/index.ts";
import { CliError } from "../private/cli-error.ts";
import { formatMs, table } from "../private/format.ts";
import type { CliIo } from "../private/io.ts";

interface RunsOptions {
  readonly flow?: string;
  readonly limit: string;
  readonly dir?: string;
}

/** `stepflow runs [runId]`: past local runs, or one run's task attempts. */
export function runsCommand(program: Command, io: CliIo): void {
  program
    .command("runs")
    .description("list past local runs, or show one run's task runs")
    .argument("[runId]", "a run id to show in detail")
    .option("--flow <name>", "only this flow's runs")
    .option("--limit <n>", "at most this many runs", "20")
    .option("--dir <dir>", "project folder of the history", ".stepflow")
    .action(async (runId: string | undefined, o: RunsOptions) => {
      if (runId) return showRun(runId, o, io);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new CliError(`\`--limit ${o.limit}\` must be a whole number >= 1`);
      const runs = await listLocalRuns({ dir: o.dir, flow: o.flow, limit });
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
        r.startedAt.replace("T", " ").slice(0, 19),
        formatMs(r.durationMs),
      ]);
      io.stdout.write(`${table(["RUN ID", "FLOW", "STATUS", "STARTED (UTC)", "DURATION"], rows)}\n`);
    });
}

async function showRun(runId: string, o: RunsOptions, io: CliIo): Promise<void> {
  const { run, tasks } = await getLocalRun(runId, { dir: o.dir });
  if (!run && tasks.length === 0) {
    throw new CliError(
      `run \`${runId}\` is not in the local history \`${o.dir}\`; list runs with \`stepflow runs\``,
    );
  }
  if (run) {
    io.stdout.write(
      `${run.runId}  ${run.flow}  ${run.status}  ${formatMs(run.durationMs)}  started ${run.startedAt}\n`,
    );
    if (run.params !== undefined) io.stdout.write(`params: ${JSON.stringify(run.params)}\n`);
    if (run.error) io.stdout.write(`error: ${run.error.name}: ${run.error.message}\n`);
  }
  const rows = tasks.map((t) => [
    t.state,
    t.mapIndex === undefined ? "" : String(t.mapIndex),
    String(t.attempt + 1),
    t.status,
    formatMs(t.durationMs),
    t.error ? `${t.error.name}: ${t.error.message}`.slice(0, 120) : t.cached ? "cached" : "",
  ]);
  io.stdout.write(`${table(["STATE", "ITEM", "ATTEMPT", "STATUS", "DURATION", "ERROR"], rows)}\n`);
}
