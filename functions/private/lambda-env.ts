/**
 * How every Lambda entry reads its configuration: from `env` (the process environment when
 * deployed, a plain object in tests), with one message for a missing or bad variable.
 */
import { DEFAULT_HISTORY_TTL_DAYS } from "../../sdk/core/deploy-names.ts";
import { StepflowError } from "../../sdk/core/errors.ts";
import type { LambdaVariable } from "../../sdk/core/lambda-environment.ts";

/** Environment variables as a Lambda entry reads them: only the names `FlowStack` sets (sdk/core/lambda-environment.ts). */
export type LambdaEnv = Readonly<Partial<Record<LambdaVariable, string>>>;

/** The value of `name`, which `FlowStack` always sets. */
export function required(env: LambdaEnv, name: LambdaVariable): string {
  const value = env[name];
  if (!value) {
    throw new StepflowError(
      `environment variable \`${name}\` is not set; deploy the function with \`FlowStack\`, which sets it, or set it yourself`,
    );
  }
  return value;
}

/** Days history items live (`STEPFLOW_HISTORY_TTL_DAYS`, default 90). */
export function ttlDays(env: LambdaEnv): number {
  const raw = env.STEPFLOW_HISTORY_TTL_DAYS;
  const days = raw === undefined || raw === "" ? DEFAULT_HISTORY_TTL_DAYS : Number(raw);
  if (!Number.isFinite(days) || days <= 0) {
    throw new StepflowError(
      `environment variable \`STEPFLOW_HISTORY_TTL_DAYS\` is \`${raw}\`; set it to a positive number of days`,
    );
  }
  return days;
}

/** The JSON value of `name`, or `fallback` when it is not set. */
export function jsonVar<T>(env: LambdaEnv, name: LambdaVariable, fallback: T): T {
  const raw = env[name];
  if (!raw) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch (cause) {
    throw new StepflowError(`env \`${name}\` is not JSON; redeploy the stack so FlowStack writes it`, { cause });
  }
}
