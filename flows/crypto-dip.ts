/**
 * The crypto price dip tracker of the classic Prefect tutorial ("to the moon"): fetch a coin's
 * prices of the last 24 hours, and post to Slack when the price has fallen more than
 * `threshold` percent below its high.
 *
 * Run it locally with `npm start` or `npx stepflow run flows/crypto-dip.ts --param coin=BTC`.
 * - Data: `source` defaults to `auto`: the price fixture `flows/data/prices.json` on this machine
 *   (no network), live prices from the CoinGecko API when deployed. Pass `--param source=coingecko`
 *   for live prices locally, or `source: "fixture"` for the fixture on AWS.
 * - Slack: the webhook is the secret `slack-webhook` (`STEPFLOW_SECRET_SLACK_WEBHOOK` or
 *   `.stepflow/secrets.json` locally, Secrets Manager on AWS). `stepflow run` passes an unset
 *   secret as `""` (with a warning), and then `post-to-slack` logs the message it would post
 *   instead of failing; on AWS an unset secret fails the task.
 */

import { flow, rate, secret, slack, task, when } from "stepflow";
import { z } from "zod";
import { COINGECKO, coinPrices, FIXTURE, type Price } from "./lib/coingecko.ts";
import { postToWebhook } from "./lib/slack.ts";
import { AUTO, resolveAuto } from "./lib/source.ts";

export type { Price } from "./lib/coingecko.ts";

/** Prices of `coin` over the last 24 hours: `auto` is the fixture locally, CoinGecko when deployed. */
export const getData = task(
  "get-data",
  { retries: 3, retryDelay: "10 seconds", timeout: "30 seconds" },
  async (coin: string, source: "auto" | "fixture" | "coingecko"): Promise<Price[]> => {
    const from = resolveAuto(source, FIXTURE, "coingecko");
    return coinPrices(coin, from === FIXTURE ? FIXTURE : COINGECKO);
  },
);

/** How far (in percent) the last price is below the highest one. */
export function dipPercent(prices: readonly Price[]): number {
  if (prices.length === 0) return 0;
  const high = Math.max(...prices.map(([, p]) => p));
  return high > 0 ? ((high - prices[prices.length - 1][1]) / high) * 100 : 0;
}

/** True when the price is more than `threshold` percent below its 24-hour high. */
export const detectDip = task(
  "detect-dip",
  (prices: Price[], threshold: number) => dipPercent(prices) > threshold,
);

/** Posts the dip to Slack; logs the message instead when the webhook is empty (unset locally). */
export const postToSlack = task(
  "post-to-slack",
  { retries: 2, retryDelay: "5 seconds" },
  async (webhook: string, coin: string, prices: Price[]) => {
    const last = prices[prices.length - 1]?.[1];
    const text = `:chart_with_downwards_trend: There has been a dip: ${coin} is at $${last}, ${dipPercent(prices).toFixed(1)}% below its 24-hour high`;
    return postToWebhook(webhook, text);
  },
);

export const cryptoDip = flow(
  "crypto-dip",
  {
    params: z.object({
      coin: z.string().default("DOGE"),
      threshold: z.number().positive().default(10),
      source: z.enum([AUTO, "fixture", "coingecko"]).default(AUTO),
    }),
    schedules: [rate("5 minutes", { coin: "DOGE", source: "coingecko" })],
    notify: [slack(secret("slack-webhook"), { on: ["FAILED", "TIMED_OUT"] })],
    description: "Posts to Slack when a coin dips more than `threshold` percent below its 24-hour high.",
  },
  ({ coin, threshold, source }) => {
    const data = getData(coin, source);
    const isDip = detectDip(data, threshold);
    when(isDip, () => postToSlack(secret("slack-webhook"), coin, data));
    return isDip;
  },
);
