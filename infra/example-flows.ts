/**
 * The flows the example app (infra/app.ts) deploys. Edit this list to add a flow; the subflows
 * it calls are added for you. Tests synthesize and check exactly this list.
 */
import type { AnyFlow } from "stepflow";
import { cryptoDip } from "../flows/crypto-dip.ts";
import { cryptoDipMany } from "../flows/crypto-dip-many.ts";
import { etlMonths } from "../flows/etl.ts";
import { hello } from "../flows/hello.ts";
import { marketData } from "../flows/market-data.ts";
import { taxiTips } from "../flows/taxi-tips.ts";

/** The example app's flows. */
export const exampleFlows: readonly AnyFlow[] = [hello, cryptoDip, cryptoDipMany, marketData, taxiTips, etlMonths];
