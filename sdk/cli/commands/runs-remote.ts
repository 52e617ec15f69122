import { StepflowClient } from "../../client/index.ts";
import { CliError } from "../private/cli-error.ts";
import { formatMs, formatStarted, runSummary, table } from "../private/format.ts";
import type { CliIo } from "../private/io.ts";
import { childRunsView, taskRunsView } from "../private/task-runs-view.ts";
import { wholeNumber } from "../private/options.ts";
import { STATUSES } from "../../core/status.ts";
import type { RunStatus } from "../../core/status.ts";

/** Options of `stepflow runs --remote`. */
export interface RemoteRunsOptions {
  /** The flow (`--remote <flow>` or `--flow`). */
  readonly flow?: string;
  /** `--limit`, as given. */
  readonly limit: string;
  readonly status?: string;
  readonly since?: string;
  readonly region?: string;
  readonly historyTable?: string;
}

/** `stepflow runs --remote <flow>` and `stepflow runs <runId> --remote`: runs from the DynamoDB history. */
export async function remoteRuns(runId: string | undefined, o: RemoteRunsOptions, io: CliIo): Promise<void> {
  const client = new StepflowClient({ region: o.region, historyTable: o.historyTable });
  if (runId) {
    const run = await client.run(runId);
    io.stdout.write(runSummary(run) + taskRunsView(run.tasks) + childRunsView(run.children, true));
    return;
  }
  if (!o.flow) throw new CliError("name the flow whose runs to list: `stepflow runs --remote <flow>`");
  const limit = wholeNumber("limit", o.limit, 1);
  const status = o.status?.toUpperCase() as RunStatus | undefined;
  if (status !== undefined && !STATUSES.includes(status))
    throw new CliError(`\`--status ${o.status}\` is not a run status; use one of ${STATUSES.join(", ")}`);
  if (o.since !== undefined && Number.isNaN(Date.parse(o.since)))
    throw new CliError(
      `\`--since ${o.since}\` is not a date; write e.g. \`2025-05-01\` or \`2025-05-01T12:00Z\``,
    );
  const runs = await client.runs(o.flow, { limit, status, since: o.since });
  if (runs.length === 0) {
    io.stdout.write(
      `no runs of flow \`${o.flow}\` in the history table; start one with \`stepflow trigger ${o.flow}\`\n`,
    );
    return;
  }
  const rows = runs.map((r) => [
    r.runId,
    r.status,
    formatStarted(r.startedAt),
    formatMs(r.durationMs),
    r.error ? `${r.error.name}: ${r.error.message}`.slice(0, 80) : "",
  ]);
  io.stdout.write(`${table(["RUN ID", "STATUS", "STARTED (UTC)", "DURATION", "ERROR"], rows)}\n`);
}
