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

import { flow, NonRetriableError, rate, secret, slack, task, when } from "stepflow";
import { z } from "zod";
import { postToWebhook } from "./lib/slack.ts";
import { AUTO, resolveAuto } from "./lib/source.ts";
import fixture from "./data/prices.json" with { type: "json" };

/** A price point: [epoch milliseconds, price in USD], as CoinGecko's `market_chart` returns them. */
export type Price = [number, number];

const COINGECKO_IDS: Readonly<Record<string, string>> = { BTC: "bitcoin", ETH: "ethereum", DOGE: "dogecoin" };

/** Prices of `coin` over the last 24 hours. */
export const getData = task(
  "get-data",
  { retries: 3, retryDelay: "10 seconds", timeout: "30 seconds" },
  async (coin: string, source: "auto" | "fixture" | "coingecko"): Promise<Price[]> => {
    if (resolveAuto(source, "fixture", "coingecko") === "fixture") {
      const prices = (fixture.prices as Record<string, number[][]>)[coin] as Price[] | undefined;
      if (!prices) {
        const known = Object.keys(fixture.prices).join(", ");
        throw new NonRetriableError(
          `coin \`${coin}\` is not in flows/data/prices.json; use one of ${known}, or \`source=coingecko\``,
        );
      }
      return prices;
    }
    const id = COINGECKO_IDS[coin] ?? coin.toLowerCase();
    const url = `https://api.coingecko.com/api/v3/coins/${encodeURIComponent(id)}/market_chart?vs_currency=usd&days=1`;
    const response = await fetch(url, { headers: { accept: "application/json" } });
    // A 4xx will not get better on retry; 429 and 5xx may.
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      throw new NonRetriableError(
        `CoinGecko answered ${response.status} for coin \`${coin}\` (id \`${id}\`); check the coin symbol`,
      );
    }
    if (!response.ok) throw new Error(`CoinGecko answered ${response.status} for coin \`${coin}\`; retrying`);
    return ((await response.json()) as { prices: Price[] }).prices;
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
