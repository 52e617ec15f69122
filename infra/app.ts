/**
 * The CDK app of this repository's example flows: `npx cdk synth` / `npx cdk deploy`.
 *
 * To deploy another flow, import it below and add it to `flows`; the subflows it calls are
 * added for you. Secrets it uses are created empty as `stepflow/<name>`: set each with
 * `stepflow secret set <name>` after the first deploy.
 */
import { App } from "aws-cdk-lib";
import type { AnyFlow } from "stepflow";
import { cryptoDip } from "../flows/crypto-dip.ts";
import { cryptoDipMany } from "../flows/crypto-dip-many.ts";
import { etlMonths } from "../flows/etl.ts";
import { hello } from "../flows/hello.ts";
import { marketData } from "../flows/market-data.ts";
import { taxiTips } from "../flows/taxi-tips.ts";
import { FlowStack } from "./flow-stack.ts";

/** The flows this app deploys. Edit this list to add a flow. */
const flows: readonly AnyFlow[] = [hello, cryptoDip, cryptoDipMany, marketData, taxiTips, etlMonths];

const app = new App();
new FlowStack(app, "StepflowExamples", {
  flows,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
