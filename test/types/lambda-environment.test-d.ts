/**
 * The Lambda environment is named once (sdk/core/lambda-environment.ts): infra's `environment`
 * literals `satisfies` it and the entries read it through `LambdaEnv`, so a variable one side
 * names and the other does not is a type error.
 */
import { describe, expectTypeOf, it } from "vitest";
import { jsonVar, type LambdaEnv, required } from "../../functions/private/lambda-env.ts";
import type {
  NotifierLambdaEnvironment,
  RecorderLambdaEnvironment,
  TaskLambdaEnvironment,
} from "../../sdk/core/lambda-environment.ts";

describe("the Lambda environment contract", () => {
  it("reads only variables the contract names", () => {
    const env: LambdaEnv = { STEPFLOW_RESULTS_BUCKET: "b" };
    expectTypeOf(required(env, "STEPFLOW_RESULTS_BUCKET")).toEqualTypeOf<string>();
    // @ts-expect-error: a misspelled name is no variable FlowStack sets
    required(env, "STEPFLOW_RESULT_BUCKET");
    // @ts-expect-error: nor is a name no entry reads
    jsonVar(env, "STEPFLOW_CONFIG", {});
    // @ts-expect-error: reading the environment by a name outside the contract
    void env.STEPFLOW_TABLE;
  });

  it("makes infra set every variable an entry needs, and no other", () => {
    const task = { STEPFLOW_RESULTS_BUCKET: "b", STEPFLOW_HISTORY_TABLE: "t", STEPFLOW_SECRET_PREFIX: "stepflow/", STEPFLOW_HISTORY_TTL_DAYS: "90" };
    expectTypeOf(task).toExtend<TaskLambdaEnvironment>();
    // @ts-expect-error: the results bucket is missing
    ({ STEPFLOW_HISTORY_TABLE: "t", STEPFLOW_SECRET_PREFIX: "p", STEPFLOW_HISTORY_TTL_DAYS: "90" }) satisfies TaskLambdaEnvironment;
    // @ts-expect-error: a misspelled variable
    ({ STEPFLOW_HISTORY_TABLE: "t", STEPFLOW_HISTORY_TTL: "90" }) satisfies RecorderLambdaEnvironment;
    ({ STEPFLOW_NOTIFY: "{}", STEPFLOW_SECRET_PREFIX: "p" }) satisfies NotifierLambdaEnvironment;
  });
});
