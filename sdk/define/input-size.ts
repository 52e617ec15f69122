import { ParamsError } from "../core/errors.ts";
import { PAYLOAD_LIMIT_BYTES } from "../core/protocol.ts";

/**
 * Fails when a run's input (its parameters, as JSON) is over the 262,144 bytes `StartExecution`
 * accepts. The one check `runLocal`, `StepflowClient.start` and the CLI share, so a run that AWS
 * would refuse never starts anywhere.
 * @throws ParamsError naming the size, the limit and the fix.
 */
export function checkInputSize(flowName: string, input: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(input ?? {}), "utf8");
  if (bytes <= PAYLOAD_LIMIT_BYTES) return;
  throw new ParamsError(flowName, [
    {
      path: "",
      message: `the parameters are ${bytes.toLocaleString("en-US")} bytes of JSON, over the ${PAYLOAD_LIMIT_BYTES.toLocaleString("en-US")} bytes Step Functions accepts as an execution input (\`StartExecution\` refuses it); pass large data by reference, e.g. an S3 key or a URL a task reads`,
    },
  ]);
}
