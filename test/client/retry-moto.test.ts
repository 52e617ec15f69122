/**
 * What the emulator `stepflow rehearse` runs lacks, checked against it: moto (a Python server
 * started here), so this file is in the e2e tier. test/client/retry.test.ts tests `client.retry`
 * against mocks meanwhile.
 */
import { CreateStateMachineCommand, DescribeExecutionCommand, RedriveExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import { startMoto } from "../../infra/rehearse/private/moto-process.ts";

// If this fails, moto implements RedriveExecution: test `client.retry` against it instead of
// mocks. Until then the redrive's IAM is evaluated in test/infra/example-iam.test.ts.
describe("moto 5.2.1 (the emulator `stepflow rehearse` runs)", () => {
  it("does not implement RedriveExecution: a failed execution cannot be redriven there", async () => {
    const moto = await startMoto(1, "us-east-1", "123456789012");
    try {
      const sfn = new SFNClient({ endpoint: `http://127.0.0.1:${moto.port}`, region: "us-east-1", credentials: { accessKeyId: "k", secretAccessKey: "s" } });
      const definition = JSON.stringify({ StartAt: "fail", States: { fail: { Type: "Fail", Error: "Boom" } } });
      const machine = await sfn.send(new CreateStateMachineCommand({ name: "stepflow-f", roleArn: "arn:aws:iam::123456789012:role/r", definition }));
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: "r1" }));
      await expect.poll(async () => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status, { timeout: 30_000 }).toBe("FAILED");
      const error = await sfn.send(new RedriveExecutionCommand({ executionArn })).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(500);
    } finally {
      await moto.stop();
    }
  }, 120_000);
});
