import { describe, expect, it } from "vitest";
import { compile } from "../../sdk/index.ts";
import { everything } from "../fixtures/every-feature.ts";
import { assertValidAsl } from "../support/stand-in-run.ts";
import { env, LAMBDA_RETRY, lambdaTask, next } from "./render.ts";

const F = "everything";

describe("a flow using every feature", () => {
  it("compiles to exactly this definition", () => {
    const definition = compile(everything).definition;
    assertValidAsl(definition);
    expect(definition).toStrictEqual({
      Comment: "every feature",
      StartAt: "parallel map fetch-price + parallel list-keys + monthly-etl",
      TimeoutSeconds: 3600,
      States: {
        "parallel map fetch-price + parallel list-keys + monthly-etl": {
          Type: "Parallel",
          Branches: [pricesBranch, keysAndEtlBranch],
          ResultSelector: { "summarize.$": "$[1].summarize" },
          ResultPath: "$.results",
          End: true,
          OutputPath: "$.results.summarize",
        },
      },
    });
  });
});

// Branch 1: map prices depth-first (fetch then score per coin), reduce, then branch on the dip.
const pricesBranch = {
  StartAt: "map fetch-price",
  States: {
    "map fetch-price": {
      Type: "Map",
      ItemsPath: "$.coins",
      ItemSelector: {
        "run.$": "$$.Execution.Name",
        "index.$": "$$.Map.Item.Index",
        item: { a0: { "v.$": "$$.Map.Item.Value" } },
        params: { "threshold.$": "$.threshold" },
        // Each item's `score` shares the Map's part of the state data budget with the others.
        "count.$": "States.ArrayLength($.coins)",
      },
      ItemProcessor: {
        StartAt: "fetch-price",
        States: {
          "fetch-price": lambdaTask(
            {
              flow: F,
              task: "fetch-price",
              args: [env("$.item.a0")],
              inMap: true,
              timeout: 60,
              retry: [
                LAMBDA_RETRY,
                { ErrorEquals: ["NonRetriableError", "ReferenceError", "SyntaxError", "TypeError"], MaxAttempts: 0 },
                {
                  ErrorEquals: ["HttpError"],
                  IntervalSeconds: 60,
                  MaxAttempts: 3,
                  BackoffRate: 2,
                  MaxDelaySeconds: 300,
                  JitterStrategy: "FULL",
                },
              ],
            },
            next("score"),
          ),
          score: lambdaTask(
            {
              flow: F,
              task: "score",
              args: [env("$.results.fetch_price"), { "v.$": "$.params.threshold" }],
              inMap: true,
              // fetch-price is read by score only: the row keeps score alone.
              replace: true,
              share: { bytes: 163840, "of.$": "$.count", overhead: 11 },
            },
            next({ end: true, output: "$.results" }),
          ),
        },
      },
      ResultPath: "$.results.map_fetch_price",
      MaxConcurrency: 10,
      Next: "any-true",
    },
    "any-true": lambdaTask(
      {
        flow: F,
        task: "any-true",
        args: [{ "rows.$": "$.results.map_fetch_price", col: "score" }],
        out: ["boolean"],
        replace: true,
      },
      next("if any-true"),
    ),
    "if any-true": {
      Type: "Choice",
      Choices: [{ Variable: "$.results.any_true.v", BooleanEquals: true, Next: "alert" }],
      Default: "note",
    },
    alert: lambdaTask(
      { flow: F, task: "alert", args: [{ secret: "slack-webhook" }, env("$.results.any_true")], replace: true },
      next({ end: true, output: "$.results" }),
    ),
    note: lambdaTask(
      { flow: F, task: "note", args: [{ v: "no dip" }], replace: true },
      next({ end: true, output: "$.results" }),
    ),
  },
};

// Branch 2: the large fan-out (Distributed Map over S3) beside the subflow, then the summary.
const keysAndEtlBranch = {
  StartAt: "parallel list-keys + monthly-etl",
  States: {
    "parallel list-keys + monthly-etl": {
      Type: "Parallel",
      Branches: [
        {
          StartAt: "list-keys",
          States: {
            "list-keys": lambdaTask(
              { flow: F, task: "list-keys", args: [], out: ["stored"] },
              next("map process-key"),
            ),
            "map process-key": {
              Type: "Map",
              ItemSelector: {
                "run.$": "$$.Execution.Name",
                "index.$": "$$.Map.Item.Index",
                item: { a0: { "v.$": "$$.Map.Item.Value" } },
              },
              ItemProcessor: {
                ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
                StartAt: "process-key",
                States: {
                  "process-key": lambdaTask(
                    { flow: F, task: "process-key", args: [env("$.item.a0")], inMap: true },
                    next({ end: true, output: "$.results" }),
                  ),
                },
              },
              ResultPath: "$.results",
              MaxConcurrency: 100,
              ItemReader: {
                Resource: "arn:aws:states:::s3:getObject",
                ReaderConfig: { InputType: "JSON" },
                Parameters: { Bucket: "${ResultsBucket}", "Key.$": "$.results.list_keys.s3" },
              },
              ResultWriter: {
                Resource: "arn:aws:states:::s3:putObject",
                Parameters: {
                  Bucket: "${ResultsBucket}",
                  "Prefix.$": "States.Format('runs/everything/{}/map_process_key', $$.Execution.Name)",
                },
              },
              ResultSelector: { map_process_key: { "manifest.$": "$.ResultWriterDetails" } },
              Label: "map_process_key",
              End: true,
              OutputPath: "$.results",
            },
          },
        },
        {
          StartAt: "monthly-etl",
          States: {
            "monthly-etl": {
              Type: "Task",
              Resource: "arn:aws:states:::states:startExecution.sync:2",
              Parameters: {
                StateMachineArn: "${Flow_monthly_etl}",
                Input: {
                  "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
                  month: "2026-01",
                },
              },
              ResultSelector: { "execution.$": "$.ExecutionArn", "output.$": "$.Output" },
              ResultPath: "$.results.monthly_etl",
              Retry: [
                {
                  ErrorEquals: [
                    "StepFunctions.ExecutionLimitExceeded",
                    "StepFunctions.AWSStepFunctionsException",
                  ],
                  IntervalSeconds: 2,
                  MaxAttempts: 3,
                  BackoffRate: 2,
                  JitterStrategy: "FULL",
                },
              ],
              End: true,
              OutputPath: "$.results",
            },
          },
        },
      ],
      ResultSelector: { "map_process_key.$": "$[0].map_process_key", "monthly_etl.$": "$[1].monthly_etl" },
      ResultPath: "$.results",
      Next: "summarize",
    },
    summarize: lambdaTask(
      {
        flow: F,
        task: "summarize",
        args: [
          { "manifest.$": "$.results.map_process_key.manifest", col: "process_key" },
          env("$.results.monthly_etl.output"),
        ],
        replace: true,
      },
      next({ end: true, output: "$.results" }),
    ),
  },
};
