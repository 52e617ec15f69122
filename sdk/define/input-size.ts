import { ParamsError } from "../core/errors.ts";
import { PARAMS_BUDGET_BYTES, PAYLOAD_LIMIT_BYTES, STATE_BUDGET_BYTES } from "../core/protocol.ts";

const kb = (bytes: number) => `${(bytes / 1024).toLocaleString("en-US")} KB`;

/**
 * Fails when a run's input (its parameters, as JSON) is over the 262,144 bytes `StartExecution`
 * accepts, or over the `PARAMS_BUDGET_BYTES` the compiler leaves them beside the results' state
 * data budget (big parameters and big results would cross 256 KB together). The one check
 * `runLocal`, `StepflowClient.start` and the CLI share, so such a run never starts anywhere.
 * @throws ParamsError naming the size, the limit and the fix.
 */
export function checkInputSize(flowName: string, input: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(input ?? {}), "utf8");
  if (bytes <= PARAMS_BUDGET_BYTES) return;
  const size = `the parameters are ${bytes.toLocaleString("en-US")} bytes of JSON`;
  const fix = "pass large data by reference, e.g. an S3 key or a URL a task reads";
  const message =
    bytes > PAYLOAD_LIMIT_BYTES
      ? `${size}, over the ${PAYLOAD_LIMIT_BYTES.toLocaleString("en-US")} bytes Step Functions accepts as an execution input (\`StartExecution\` refuses it); ${fix}`
      : `${size}, over the ${PARAMS_BUDGET_BYTES.toLocaleString("en-US")} bytes stepflow leaves parameters: they stay in the state data for the whole run beside up to ${kb(STATE_BUDGET_BYTES)} of results, and both must fit in Step Functions' 256 KB (\`States.DataLimitExceeded\`); ${fix}`;
  throw new ParamsError(flowName, [{ path: "", message }]);
}
