/**
 * A deployed task attempt's log lines, read from CloudWatch Logs: the task Lambda's log group
 * (its `LoggingConfig`, a flow's tasks share one) filtered on the structured fields the runtime
 * puts on every Powertools line (`runId`, `state`, `mapIndex`, `attempt`).
 */
import type { CloudWatchLogsClient, FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { TaskLogLine, TaskRunRecord } from "../../../functions/stores/types.ts";

/** At most this many lines of one attempt are shown, as locally. */
export const MAX_REMOTE_LINES = 200;
/** Pages of FilterLogEvents read at most (a page may be empty while CloudWatch scans on). */
const MAX_PAGES = 10;
/** Lines may be stamped a little before the record's start or after its end (clocks, buffering). */
const WINDOW_SLACK_MS = 60_000;

/** The clients the query uses (injectable: tests pass mocked ones). */
export interface RemoteLogClients {
  readonly logs: () => Promise<CloudWatchLogsClient>;
  readonly lambda: () => Promise<LambdaClient>;
}

/**
 * The CloudWatch Logs filter pattern of one attempt's lines.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html#matching-terms-json-log-events
 */
export function attemptFilterPattern(record: Pick<TaskRunRecord, "runId" | "state" | "mapIndex" | "attempt">): string {
  const text = (s: string) => JSON.stringify(s);
  const terms = [`$.runId = ${text(record.runId)}`, `$.state = ${text(record.state)}`, `$.attempt = ${record.attempt}`];
  // A state outside a Map logs no `mapIndex` at all, so only a map item's lines are filtered on it.
  if (record.mapIndex !== undefined) terms.push(`$.mapIndex = ${record.mapIndex}`);
  return `{ ${terms.join(" && ")} }`;
}

/** Reads attempts' lines; the log group of each function is looked up once. */
export function remoteAttemptLogs(clients: RemoteLogClients): (record: TaskRunRecord, functionArn: string) => Promise<TaskLogLine[]> {
  const groups = new Map<string, Promise<string>>();
  const groupOf = (functionArn: string) => {
    let group = groups.get(functionArn);
    if (!group) {
      group = logGroupOf(clients, functionArn);
      groups.set(functionArn, group);
      group.catch(() => groups.delete(functionArn));
    }
    return group;
  };
  return async (record, functionArn) => {
    const logGroupName = await groupOf(functionArn);
    const { FilterLogEventsCommand } = await import("@aws-sdk/client-cloudwatch-logs");
    const client = await clients.logs();
    const started = Date.parse(record.startedAt);
    const ended = record.endedAt ? Date.parse(record.endedAt) : Date.now();
    const lines: TaskLogLine[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES && lines.length < MAX_REMOTE_LINES; page++) {
      const out = await client.send(
        new FilterLogEventsCommand({
          logGroupName,
          filterPattern: attemptFilterPattern(record),
          startTime: started - WINDOW_SLACK_MS,
          endTime: ended + WINDOW_SLACK_MS,
          limit: MAX_REMOTE_LINES - lines.length,
          nextToken,
        }),
      );
      lines.push(...(out.events ?? []).map(lineOf));
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    return lines.slice(0, MAX_REMOTE_LINES);
  };
}

/** The function's log group: its `LoggingConfig.LogGroup`, else Lambda's default `/aws/lambda/<name>`. */
async function logGroupOf(clients: RemoteLogClients, functionArn: string): Promise<string> {
  const { GetFunctionConfigurationCommand } = await import("@aws-sdk/client-lambda");
  const config = await (await clients.lambda()).send(new GetFunctionConfigurationCommand({ FunctionName: functionArn }));
  return config.LoggingConfig?.LogGroup ?? `/aws/lambda/${config.FunctionName ?? functionArn.split(":").at(-1)}`;
}

/** A Powertools JSON line as the page shows it; any other line as it is. */
function lineOf(event: FilteredLogEvent): TaskLogLine {
  const time = new Date(event.timestamp ?? 0).toISOString();
  const raw = event.message ?? "";
  try {
    const line = JSON.parse(raw) as { level?: unknown; message?: unknown };
    if (typeof line.message === "string") return { level: String(line.level ?? "info").toLowerCase(), message: line.message, time };
  } catch {
    // Not JSON: shown whole.
  }
  return { level: "info", message: raw.trimEnd(), time };
}
