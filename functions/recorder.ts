/**
 * The run recorder core: turns EventBridge "Step Functions Execution Status Change" events into
 * flow run records. Events can arrive twice and out of order; the record's rank makes the
 * status move forward only (RUNNING, then a terminal status; a redrive starts a higher round).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { REDACTED } from "./private/redact.ts";
import { truncate } from "./private/truncate.ts";
import {
  type ExecutionStatusDetail,
  type ExecutionStatusEvent,
  flowNameOf,
  flowOfStateMachine,
  lambdaCause,
} from "./status-event.ts";
import type { FlowRunRecord, HistoryStore, TaskRunRecord } from "./stores/types.ts";
import { executionAttempts } from "./private/execution-attempts.ts";
import type { ExecutionHistoryReader } from "./private/execution-history.ts";
import { taskRank, taskSk } from "./private/history-keys.ts";
import { mapLimit, preview } from "./private/json.ts";
import { type RunStatus, STATUSES } from "../sdk/core/status.ts";
import type { Json } from "../sdk/core/json.ts";

export type { ExecutionStatusDetail, ExecutionStatusEvent };

/** What the recorder needs. */
export interface RecorderDeps {
  readonly history: HistoryStore;
  /**
   * Reads an execution's history: when a run ends, the recorder completes the task-run records
   * a task Lambda could not write from what the history says ran. @default none (no reconciling)
   */
  readonly executions?: ExecutionHistoryReader;
  /** @default a Powertools Logger, service `stepflow-recorder` */
  readonly logger?: Logger;
}

/** Records one event; returns the record it wrote (or tried to), `undefined` for events it ignores. */
export type Recorder = (event: ExecutionStatusEvent) => Promise<FlowRunRecord | undefined>;

/** Parameters whose names look like credentials are stored as `***`, whatever their value. */
const SECRET_LIKE = /secret|passw(or)?d|token|api[-_]?key|credential|private[-_]?key|auth/i;
const PARAMS_BYTES = 8192;
const OUTPUT_BYTES = 4096;
const CAUSE_CHARS = 2000;

/**
 * Creates the recorder.
 * @example const record = createRecorder({ history: awsHistoryStore({ table }) });
 */
export function createRecorder(deps: RecorderDeps): Recorder {
  const logger = deps.logger ?? new Logger({ serviceName: "stepflow-recorder" });
  return async (event) => {
    const d = event.detail;
    const status = d.status as RunStatus;
    if (!STATUSES.includes(status)) {
      logger.info("ignored an execution status the history does not keep", {
        runId: d.name,
        status: d.status,
      });
      return undefined;
    }
    const record = toRecord(d, status);
    await deps.history.putFlowRun(record);
    logger.info("recorded flow run status", { flow: record.flow, runId: record.runId, status });
    if (status !== "RUNNING" && deps.executions && ownExecution(d.stateMachineArn)) {
      // A failure here fails the invocation: the event is retried (then kept in the dead-letter queue).
      const written = await reconcile(deps.history, deps.executions, d, status);
      if (written > 0) logger.info("completed task-run records from the execution history", { runId: d.name, written });
    }
    return record;
  };
}

/**
 * Whether the execution is a run of a stepflow state machine itself (whose history the recorder
 * may read), not a Distributed Map's child execution (`stateMachine:<name>/<map run label>`).
 */
function ownExecution(stateMachineArn: string): boolean {
  const flow = flowOfStateMachine(stateMachineArn);
  return flow !== undefined && !flow.includes("/");
}

/**
 * Writes each task attempt the execution history shows that the store lacks, or has at a lower
 * status (RUNNING where the attempt ended; FAILED where a redelivery succeeded). Returns how many.
 */
async function reconcile(
  history: HistoryStore,
  read: ExecutionHistoryReader,
  d: ExecutionStatusDetail,
  status: RunStatus,
): Promise<number> {
  const ran = executionAttempts(await read(d.executionArn), { runId: d.name, status, at: d.stopDate ?? Date.now() });
  if (ran.length === 0) return 0;
  const best = new Map<string, TaskRunRecord>();
  for (const r of ran) {
    const seen = best.get(taskSk(r));
    if (!seen || taskRank(r.status) >= taskRank(seen.status)) best.set(taskSk(r), r);
  }
  const stored = new Map((await history.getRun(d.name)).tasks.map((t) => [taskSk(t), taskRank(t.status)]));
  const behind = [...best].filter(([sk, r]) => (stored.get(sk) ?? -1) < taskRank(r.status)).map(([, r]) => r);
  await mapLimit(behind, 16, (r) => history.putTaskRun(r));
  return behind.length;
}

function toRecord(d: ExecutionStatusDetail, status: RunStatus): FlowRunRecord {
  const terminal = status !== "RUNNING";
  const stop = terminal && d.stopDate ? d.stopDate : undefined;
  const params = parse(d.input);
  const output = parse(d.output);
  return {
    flow: flowNameOf(d.stateMachineArn),
    runId: d.name,
    status,
    rank: (d.redriveCount ?? 0) * 2 + (terminal ? 1 : 0),
    executionArn: d.executionArn,
    stateMachineArn: d.stateMachineArn,
    startedAt: new Date(d.startDate).toISOString(),
    endedAt: stop === undefined ? undefined : new Date(stop).toISOString(),
    durationMs: stop === undefined ? undefined : stop - d.startDate,
    parentRunId: parentRunIdOf(params),
    params: params === undefined ? undefined : preview(scrubParams(params), PARAMS_BYTES),
    output: output === undefined ? undefined : preview(output, OUTPUT_BYTES),
    error: d.error || d.cause ? { name: d.error ?? "Error", message: readableCause(d.cause) } : undefined,
  };
}

/**
 * The run id of the execution that started this one: a subflow's input carries its parent's
 * execution ARN (`arn:aws:states:<region>:<account>:execution:<machine>:<name>`), whose name is the run id.
 */
function parentRunIdOf(input: Json | undefined): string | undefined {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return undefined;
  const arn = input.AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID;
  if (typeof arn !== "string") return undefined;
  const parts = arn.split(":");
  return parts.length >= 8 && (parts[5] === "execution" || parts[5] === "express") ? parts[7] : undefined;
}

/** A Lambda failure's cause is `{"errorType","errorMessage","trace"}` JSON: keep the message. */
function readableCause(cause: string | null | undefined): string {
  const message = lambdaCause(cause)?.errorMessage ?? cause ?? "";
  return truncate(message, CAUSE_CHARS);
}

function parse(text: string | null | undefined): Json | undefined {
  if (text === null || text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text.slice(0, OUTPUT_BYTES);
  }
}

/** Drops Step Functions' own input fields and masks credential-looking parameters. */
function scrubParams(input: Json): Json {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(input)) {
    if (k.startsWith("AWS_STEP_FUNCTIONS_")) continue;
    out[k] = SECRET_LIKE.test(k) ? REDACTED : scrubParams(v);
  }
  return out;
}
