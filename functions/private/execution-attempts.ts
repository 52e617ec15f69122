/**
 * The task attempts an execution made, read from its history: what AWS knows ran, so the
 * recorder can complete the records a task Lambda could not write (its store was down, or it
 * was killed). A stepflow Task state invokes its Lambda directly (`Resource` is the function
 * ARN), so each attempt is a `LambdaFunctionScheduled` event whose input is the `TaskRequest`,
 * followed (by `previousEventId`) by `LambdaFunctionStarted` and its outcome.
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
 */
import type { Envelope, TaskRequest } from "../../sdk/core/protocol.ts";
import { lambdaCause } from "../status-event.ts";
import type { TaskRunRecord } from "../stores/types.ts";
import { resultRef } from "./result-ref.ts";
import { truncate } from "./truncate.ts";

/** One history event, the fields read here (as `GetExecutionHistory` returns them). */
export interface ExecutionHistoryEvent {
  readonly id?: number;
  readonly previousEventId?: number;
  readonly type?: string;
  readonly timestamp?: Date;
  readonly lambdaFunctionScheduledEventDetails?: { readonly input?: string };
  readonly lambdaFunctionSucceededEventDetails?: { readonly output?: string };
  readonly lambdaFunctionFailedEventDetails?: ErrorDetails;
  readonly lambdaFunctionTimedOutEventDetails?: ErrorDetails;
  readonly lambdaFunctionScheduleFailedEventDetails?: ErrorDetails;
  readonly lambdaFunctionStartFailedEventDetails?: ErrorDetails;
}

interface ErrorDetails {
  readonly error?: string;
  readonly cause?: string;
}

/** How the execution ended, for attempts it left running. */
export interface ExecutionEnd {
  readonly runId: string;
  readonly status: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

const ENDINGS = new Set([
  "LambdaFunctionSucceeded",
  "LambdaFunctionFailed",
  "LambdaFunctionTimedOut",
  "LambdaFunctionScheduleFailed",
  "LambdaFunctionStartFailed",
]);
const CAUSE_CHARS = 2000;

/**
 * Every task attempt of the history as the task handler would have recorded it; an attempt with
 * no outcome when the execution ended is `FAILED` with `RunEnded`, as local runs record it.
 */
export function executionAttempts(events: readonly ExecutionHistoryEvent[], end: ExecutionEnd): TaskRunRecord[] {
  const next = new Map<number, ExecutionHistoryEvent[]>();
  for (const e of events) {
    if (e.previousEventId === undefined) continue;
    const list = next.get(e.previousEventId) ?? [];
    list.push(e);
    next.set(e.previousEventId, list);
  }
  const after = (e: ExecutionHistoryEvent | undefined, types: (t: string) => boolean) =>
    e?.id === undefined ? undefined : next.get(e.id)?.find((x) => types(x.type ?? ""));
  const records: TaskRunRecord[] = [];
  for (const scheduled of events) {
    if (scheduled.type !== "LambdaFunctionScheduled") continue;
    const request = taskRequest(scheduled.lambdaFunctionScheduledEventDetails?.input);
    if (!request) continue;
    const started = after(scheduled, (t) => t === "LambdaFunctionStarted");
    const ended = after(started, (t) => ENDINGS.has(t)) ?? after(scheduled, (t) => ENDINGS.has(t));
    records.push(attempt(request, started ?? scheduled, ended, end));
  }
  return records;
}

function attempt(
  request: TaskRequest,
  started: ExecutionHistoryEvent,
  ended: ExecutionHistoryEvent | undefined,
  end: ExecutionEnd,
): TaskRunRecord {
  const startedAt = time(started);
  const endedAt = ended ? time(ended) : end.at;
  const base = {
    flow: request.flow,
    runId: request.run,
    task: request.task,
    state: request.state,
    ...(request.index === undefined ? {} : { mapIndex: request.index }),
    attempt: request.attempt ?? 0,
    startedAt: new Date(startedAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    durationMs: Math.max(0, endedAt - startedAt),
  };
  if (ended?.type === "LambdaFunctionSucceeded") {
    const envelope = parse(ended.lambdaFunctionSucceededEventDetails?.output) as Envelope | undefined;
    return { ...base, status: "SUCCEEDED", ...(envelope ? { result: resultRef(envelope) } : {}) };
  }
  if (!ended) {
    const message = `run \`${end.runId}\` ended ${end.status} while this attempt was still running; its result was not used`;
    return { ...base, status: "FAILED", error: { name: "RunEnded", message } };
  }
  return { ...base, status: "FAILED", error: errorOf(ended) };
}

function errorOf(e: ExecutionHistoryEvent): { name: string; message: string } {
  const d =
    e.lambdaFunctionFailedEventDetails ??
    e.lambdaFunctionTimedOutEventDetails ??
    e.lambdaFunctionScheduleFailedEventDetails ??
    e.lambdaFunctionStartFailedEventDetails;
  const lambda = lambdaCause(d?.cause);
  const name = lambda?.errorType ?? d?.error ?? (e.type === "LambdaFunctionTimedOut" ? "States.Timeout" : "Error");
  return { name, message: truncate(lambda?.errorMessage ?? d?.cause ?? "", CAUSE_CHARS) };
}

/** The attempt's `TaskRequest`, or `undefined` for a Lambda that is not a stepflow task. */
function taskRequest(input: string | undefined): TaskRequest | undefined {
  const r = parse(input) as Partial<TaskRequest> | undefined;
  const ok = typeof r?.flow === "string" && typeof r.task === "string" && typeof r.state === "string" && typeof r.run === "string";
  return ok ? (r as TaskRequest) : undefined;
}

function parse(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function time(e: ExecutionHistoryEvent): number {
  return e.timestamp instanceof Date ? e.timestamp.getTime() : Date.now();
}
