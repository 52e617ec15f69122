import { RedriveExecutionCommand } from "@aws-sdk/client-sfn";
import { afterEach, describe, expect, it } from "vitest";
import type { TaskRunRecord } from "../../functions/stores/types.ts";
import { AccessDeniedError, RunNotRedrivableError } from "../../sdk/client/index.ts";
import { redriveReport } from "../../sdk/client/private/redrive.ts";
import { awsError, execArn, mockedClient } from "./support/mocks.ts";

const RUN = "to-the-moon-20250501T120000Z-k3x9qa0b7mzd";

describe("StepflowClient.retry (RedriveExecution)", () => {
  let env: ReturnType<typeof mockedClient>;
  afterEach(() => env?.sfn.restore());

  it("redrives the run's execution, keeping its run id", async () => {
    env = mockedClient();
    const at = new Date("2025-05-02T00:00:00Z");
    env.sfn.on(RedriveExecutionCommand).resolves({ redriveDate: at });
    const { run, redrivenAt } = await env.client.retry(RUN);
    const [call] = env.sfn.commandCalls(RedriveExecutionCommand);
    expect(call.args[0].input).toStrictEqual({ executionArn: execArn("to-the-moon", RUN) });
    expect(run.runId).toBe(RUN);
    expect(redrivenAt).toStrictEqual(at);
  });

  it.each([
    ["ExecutionNotRedrivable", RunNotRedrivableError, /cannot be retried on AWS: .*14 days.*`stepflow trigger`/],
    ["AccessDeniedException", AccessDeniedError, /not allowed `states:RedriveExecution` on `arn:aws:states:.*:execution:stepflow-to-the-moon:/],
  ])("maps %s to a StepflowError naming the fix", async (name, type, message) => {
    env = mockedClient();
    env.sfn.on(RedriveExecutionCommand).rejects(awsError(name));
    const error = await env.client.retry(RUN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
  });

  it("reports which task calls ran again after the redrive and which were reused", () => {
    const t = (state: string, mapIndex: number | undefined, startedAt: string, status: TaskRunRecord["status"]): TaskRunRecord => ({
      flow: "f", runId: RUN, task: state, state, mapIndex, attempt: 0, status, startedAt,
    });
    const report = redriveReport(
      [
        t("split", undefined, "2025-05-01T12:00:00.000Z", "SUCCEEDED"),
        t("clean", 0, "2025-05-01T12:00:01.000Z", "SUCCEEDED"),
        t("clean", 1, "2025-05-01T12:00:01.000Z", "FAILED"),
        t("clean", 1, "2025-05-02T00:00:01.000Z", "SUCCEEDED"),
        t("best", 1, "2025-05-02T00:00:02.000Z", "SUCCEEDED"),
      ],
      new Date("2025-05-02T00:00:00Z"),
    );
    expect(report).toStrictEqual({
      reused: [{ state: "split" }, { state: "clean", mapIndex: 0 }],
      ranAgain: [{ state: "clean", mapIndex: 1 }, { state: "best", mapIndex: 1 }],
    });
  });
});
