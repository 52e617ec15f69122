/**
 * The CDK app of this repository's example flows: `npx cdk synth` / `npx cdk deploy`.
 *
 * To deploy another flow, add it to `exampleFlows` (infra/example-flows.ts); the subflows it
 * calls are added for you. Secrets it uses are not created by the stack: create each with
 * `stepflow secret set <name>` (before or after the deploy). `STEPFLOW_STAGE=dev` deploys the
 * `dev` stage (names `dev-stepflow-<flow>`, secrets `dev-stepflow/<name>`).
 */
import { App } from "aws-cdk-lib";
import { exampleFlows } from "./example-flows.ts";
import { FlowStack } from "./flow-stack.ts";

const app = new App();
const stage = process.env.STEPFLOW_STAGE || undefined;
new FlowStack(app, stage ? `StepflowExamples-${stage}` : "StepflowExamples", {
  flows: exampleFlows,
  stage,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
