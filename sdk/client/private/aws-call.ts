/**
 * Every AWS request of the client goes through `awsCall`: throttled requests are retried with
 * bounded exponential backoff, and AWS errors become StepflowErrors that say what to do.
 */
import { namePrefix } from "../../core/deploy-names.ts";
import { StepflowError } from "../../core/errors.ts";
import {
  AccessDeniedError,
  ClientConfigError,
  FlowNotDeployedError,
  RunNameTakenError,
  RunNotFoundError,
  RunNotRedrivableError,
  ThrottledError,
} from "../errors.ts";
import { sleep } from "../../core/sleep.ts";

/** What a request is for, to name in errors. */
export interface CallContext {
  /** The IAM action of the request, e.g. `states:StartExecution`. */
  readonly action: string;
  /** The flow concerned, when there is one. */
  readonly flow?: string;
  /** The run (execution name or ARN) concerned, when there is one. */
  readonly run?: string;
  /** The resource, for access errors. */
  readonly resource?: string;
  /** Another way out, added to access errors. */
  readonly hint?: string;
}

/** Retries of throttled requests. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
}

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ProvisionedThroughputExceededException",
  "SlowDown",
]);
const ACCESS_DENIED = new Set(["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"]);
/** Backoff never waits longer than this between two attempts. */
const MAX_DELAY_MS = 20_000;

interface AwsErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly $retryable?: { readonly throttling?: boolean };
}

/** The error for an SDK client with no region, from the options or the SDK's configuration. */
export function regionMissing(cause: unknown): ClientConfigError {
  return new ClientConfigError(
    "`StepflowClient` does not know the AWS region; pass `region` (`--region` on the CLI) or set `AWS_REGION`",
    { cause },
  );
}

/** Whether AWS refused the request for its rate. */
function isThrottling(error: unknown): boolean {
  const e = error as AwsErrorLike | undefined;
  return THROTTLING.has(e?.name ?? "") || e?.$retryable?.throttling === true;
}

/** Sends a request, retrying throttling, and maps its AWS error. */
export async function awsCall<T>(ctx: CallContext, retry: RetryPolicy, send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (isThrottling(error) && attempt < retry.maxAttempts) {
        const cap = Math.min(MAX_DELAY_MS, retry.baseDelayMs * 2 ** (attempt - 1));
        // Half fixed, half random ("equal jitter"): spreads retries of many clients apart.
        await sleep(cap / 2 + Math.random() * (cap / 2));
        continue;
      }
      throw mapAwsError(error, ctx, attempt);
    }
  }
}

/** The state machine a request named: its ARN's last part, else the default `stepflow-<flow>`. */
function machineName(ctx: CallContext): string {
  const arn = ctx.resource?.match(/:stateMachine:([^:]+)/);
  return arn ? arn[1] : `${namePrefix()}-${ctx.flow ?? "<flow>"}`;
}

/** The StepflowError an AWS error stands for; errors that are already StepflowErrors pass through. */
function mapAwsError(error: unknown, ctx: CallContext, attempts = 1): unknown {
  if (error instanceof StepflowError) return error;
  const e = (error ?? {}) as AwsErrorLike;
  const name = e.name ?? "";
  const flow = ctx.flow ? `flow \`${ctx.flow}\`` : "the flow";
  if (name === "ExecutionAlreadyExists") {
    return new RunNameTakenError(
      `a run named \`${ctx.run}\` already exists for ${flow}; execution names are unique per state machine, so pick another \`name\` or omit it to get a generated one`,
      { cause: error },
    );
  }
  if (name === "StateMachineDoesNotExist") {
    return new FlowNotDeployedError(
      `${flow} is not deployed: state machine \`${machineName(ctx)}\` does not exist in this account and region; deploy it with \`npx cdk deploy\` (or check the client's \`region\`)`,
      { cause: error },
    );
  }
  if (name === "ExecutionDoesNotExist") {
    return new RunNotFoundError(
      `run \`${ctx.run}\` does not exist in Step Functions; check the run id and the client's \`region\``,
      { cause: error },
    );
  }
  if (name === "ExecutionNotRedrivable") {
    return new RunNotRedrivableError(
      `run \`${ctx.run}\` cannot be retried on AWS: Step Functions redrives only Standard runs that failed, timed out or were aborted in the last 14 days (AWS said: ${e.message ?? name}); start a new run with \`stepflow trigger\` instead`,
      { cause: error },
    );
  }
  if (ACCESS_DENIED.has(name)) {
    const on = ctx.resource ? ` on \`${ctx.resource}\`` : "";
    return new AccessDeniedError(
      `the AWS credentials in use are not allowed \`${ctx.action}\`${on}; grant that permission to the role or user running stepflow${ctx.hint ? `, or ${ctx.hint}` : ""} (AWS said: ${e.message ?? name})`,
      ctx.action,
      { cause: error },
    );
  }
  // The SDK's own setup errors, raised before any request is sent: the most common first-run problems.
  if (name === "CredentialsProviderError") {
    return new ClientConfigError(
      `no AWS credentials were found for \`${ctx.action}\`; set \`AWS_PROFILE\` (after \`aws configure\` or \`aws sso login\`) or \`AWS_ACCESS_KEY_ID\` and \`AWS_SECRET_ACCESS_KEY\``,
      { cause: error },
    );
  }
  if (e.message === "Region is missing") return regionMissing(error);
  if (isThrottling(error)) {
    return new ThrottledError(
      `AWS throttled \`${ctx.action}\` ${attempts} times in a row; retry later, or raise the client's \`retry.maxAttempts\``,
      { cause: error },
    );
  }
  return error;
}
