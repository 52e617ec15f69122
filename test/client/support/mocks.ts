/** aws-sdk-client-mock setup shared by the client's tests. */
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { StepflowClient, type StepflowClientOptions } from "../../../sdk/client/index.ts";

export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";
export const smArn = (flow: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:stepflow-${flow}`;
export const execArn = (flow: string, name: string) =>
  `arn:aws:states:${REGION}:${ACCOUNT}:execution:stepflow-${flow}:${name}`;

/** An AWS SDK error as the SDK throws it (`name`, `$fault`, `$metadata`). */
export function awsError(name: string, message = name, fault: "client" | "server" = "client"): Error {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: 400 } });
}

/** Real SDK clients with mocked `send`, and a StepflowClient on them that retries without waiting long. */
export function mockedClient(options: StepflowClientOptions = {}) {
  const sfn = new SFNClient({ region: REGION });
  const s3 = new S3Client({ region: REGION });
  const secretsManager = new SecretsManagerClient({ region: REGION });
  const mocks = { sfn: mockClient(sfn), s3: mockClient(s3), secretsManager: mockClient(secretsManager) };
  mocks.sfn.on(ListStateMachinesCommand).resolves({
    stateMachines: ["to-the-moon", "doubler", "big-doubler", "quiet"].map((f) => ({
      name: `stepflow-${f}`,
      stateMachineArn: smArn(f),
      type: "STANDARD" as const,
      creationDate: new Date(0),
    })),
  });
  const client = new StepflowClient({
    sfn,
    s3,
    secretsManager,
    resultsBucket: "results-bucket",
    retry: { baseDelayMs: 1 },
    ...options,
  });
  return { client, ...mocks };
}

/** A GetObject body holding `value` as JSON. */
export function jsonBody(value: unknown) {
  const text = JSON.stringify(value);
  return { transformToString: async () => text } as never;
}
