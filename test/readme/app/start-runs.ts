import { StepflowClient } from "stepflow/client";
import { cryptoDip } from "./flows/crypto-dip.ts";

const client = new StepflowClient({ region: "eu-west-1" }); // table and bucket: STEPFLOW_HISTORY_TABLE, STEPFLOW_RESULTS_BUCKET
const run = await client.start(cryptoDip, { coin: "BTC" }); // params typed and validated before the call
console.log(run.runId, run.consoleUrl);                      // run id = execution name
console.log(await run.result({ timeout: 5 * 60_000 }));    // waits, then decodes (S3-stored values too)

await client.runs(cryptoDip, { status: "FAILED", since: "2025-05-01", limit: 20 }); // from DynamoDB history
await client.run(run.runId);                                 // the run with every task attempt and error
await client.cancel(run.runId);                              // StopExecution
