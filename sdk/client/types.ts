/** Types of `StepflowClient`: its options, what runs look like, and the options of each call. */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SFNClient } from "@aws-sdk/client-sfn";
import type { FlowRunRecord, HistoryStore, ResultStore, TaskRunRecord } from "../../functions/stores/types.ts";
import type { Ref } from "../define/ref.ts";
import type { ExecutionStatus, RunStatus } from "../core/status.ts";

/**
 * The result type of a flow: what its body returns, as `Ref<R>`. (Inferred from the flow's call
 * signature, which holds for flows with required params too.)
 */
export type RunResult<F> = F extends (...args: never[]) => Ref<infer R> ? R : unknown;

/** Finds a flow's state machine ARN: a map by flow name, or a function returning `undefined` when it does not know. */
export type StateMachineArns =
  | Readonly<Record<string, string>>
  | ((flow: string) => string | undefined | Promise<string | undefined>);

/** Options of `StepflowClient`. Region and credentials follow the AWS SDK's default chain. */
export interface StepflowClientOptions {
  /** The AWS region of the deployed flows. @default the SDK's (`AWS_REGION`, profile) */
  readonly region?: string;
  /** A ready Step Functions client (tests, custom middleware). @default one built for `region` */
  readonly sfn?: SFNClient;
  /** A ready S3 client, for results stored in the results bucket. @default one built for `region` */
  readonly s3?: S3Client;
  /** A ready DynamoDB client, for run history. @default one built for `region` */
  readonly dynamodb?: DynamoDBClient;
  /** A ready Secrets Manager client, for `setSecret`. @default one built for `region` */
  readonly secretsManager?: SecretsManagerClient;
  /** The results bucket of the flow stack. @default env `STEPFLOW_RESULTS_BUCKET` */
  readonly resultsBucket?: string;
  /** The history table of the flow stack. @default env `STEPFLOW_HISTORY_TABLE` */
  readonly historyTable?: string;
  /**
   * The AWS account of the state machines; with it, ARNs are built from the naming
   * `arn:aws:states:<region>:<account>:stateMachine:stepflow-<flow>` with no lookup.
   * @default env `STEPFLOW_ACCOUNT_ID`, else one `ListStateMachines` lookup (cached)
   */
  readonly accountId?: string;
  /**
   * The stage the flows were deployed as (`FlowStack`'s `stage`): state machines are then
   * `<stage>-stepflow-<flow>` and secrets `<stage>-stepflow/<name>`.
   * @default env `STEPFLOW_STAGE`, else no stage (`stepflow-<flow>`, `stepflow/<name>`)
   */
  readonly stage?: string;
  /** State machine ARNs by flow, when they do not follow the naming. @default the naming */
  readonly stateMachineArn?: StateMachineArns;
  /** Replaces the history store (tests). @default the DynamoDB store on `historyTable` */
  readonly history?: HistoryStore;
  /** Replaces the results store (tests). @default the S3 store on `resultsBucket` */
  readonly results?: ResultStore;
  /** Retries of throttled Step Functions requests, with exponential backoff. */
  readonly retry?: {
    /** Attempts in all, the first included. @default 5 */
    readonly maxAttempts?: number;
    /** Delay before the first retry, doubled each time (with jitter). @default 200 */
    readonly baseDelayMs?: number;
  };
}

/** Options of `start`. */
export interface StartOptions {
  /**
   * The execution name, which is the run id; unique per flow, 1-80 letters, digits, `-` or `_`.
   * @default `<flow>-<yyyymmddThhmmssZ>-<6 random>`
   */
  readonly name?: string;
}

/** A run as Step Functions describes it. */
export interface RunDescription {
  readonly runId: string;
  readonly executionArn: string;
  /** The execution's status: a run status, or `PENDING_REDRIVE` while a redrive is starting. */
  readonly status: ExecutionStatus;
  readonly startedAt: Date | undefined;
  readonly stoppedAt: Date | undefined;
  /** The execution's error name, when it did not succeed. */
  readonly error?: string;
  /** The execution's cause (for a task failure: the task's error message). */
  readonly cause?: string;
  /** The raw execution output (an envelope, rows or a manifest), when it succeeded. */
  readonly output?: unknown;
}

/** Options of `wait` and `result`. */
export interface WaitOptions {
  /** Give up (throw `WaitTimeoutError`) after this many milliseconds; the run goes on. @default no limit */
  readonly timeout?: number;
  /** The first delay between polls in milliseconds; it grows 1.5x per poll up to `maxPollInterval`. @default 1000 */
  readonly pollInterval?: number;
  /** The longest delay between polls in milliseconds. @default 10000 */
  readonly maxPollInterval?: number;
  /** Called with each new or changed task-run record from history, polled with the status. @default none */
  readonly onTask?: (record: TaskRunRecord) => void;
  /** Stops waiting (rejects with the signal's reason). @default none */
  readonly signal?: AbortSignal;
}

/** Filters of `runs`. */
export interface RunsFilter {
  /** Only runs with this status. @default every status */
  readonly status?: RunStatus;
  /** At most this many runs, newest first. @default 50 */
  readonly limit?: number;
  /** Only runs started at or after this time. @default no limit */
  readonly since?: Date | string;
}

/** A run from history, with its task-run attempts in state / index / attempt order. */
export interface RunRecord extends FlowRunRecord {
  readonly tasks: readonly TaskRunRecord[];
  /** The subflow runs it started (each one's `parentRunId` is this run's id), oldest first. */
  readonly children: readonly FlowRunRecord[];
}

/** Where `setSecret` wrote a secret. */
export interface SecretWrite {
  /** The Secrets Manager name: `stepflow/<name>`. */
  readonly secretId: string;
  readonly arn: string | undefined;
  /** True when the secret did not exist and was created. */
  readonly created: boolean;
}
