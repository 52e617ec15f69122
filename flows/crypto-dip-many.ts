/**
 * The crypto dip tracker over many coins (the mapped variant of `flows/crypto-dip.ts`): fetch each
 * coin's prices of the last 24 hours in a Map (with retries), measure each coin's dip below its
 * high, and post one Slack message listing the coins that dipped more than `threshold` percent.
 *
 * Run it with `npx stepflow run flows/crypto-dip-many.ts --param 'coins=["BTC","ETH"]'`. `api`
 * defaults to `auto`: the price fixture `flows/data/prices.json` on this machine (BTC, ETH and DOGE;
 * no network), the CoinGecko API when deployed; `--param api=<url>` points it at any server with
 * CoinGecko's API, and `api=fixture` picks the fixture anywhere.
 * Slack: the webhook is the secret `slack-webhook`; when it is empty (unset locally), `post-dips`
 * logs the message instead of posting it.
 */
import { flow, rate, secret, slack, task, unmapped, when } from "stepflow";
import { z } from "zod";
import { COINGECKO, coinPrices, FIXTURE, type Price } from "./lib/coingecko.ts";
import { postToWebhook } from "./lib/slack.ts";
import { AUTO, resolveAuto } from "./lib/source.ts";

export type { Price } from "./lib/coingecko.ts";

/** One coin's prices. */
export interface Quote {
  readonly coin: string;
  readonly prices: Price[];
}

/** How far one coin is below its 24-hour high. */
export interface Dip {
  readonly coin: string;
  readonly last: number;
  readonly high: number;
  /** Percent below the high, rounded to 0.01. */
  readonly percent: number;
  /** True when `percent` is over the run's threshold. */
  readonly dipped: boolean;
}

/** Prices of `coin` over the last 24 hours from `api`: `auto`, `fixture` or a CoinGecko-compatible API. */
export const fetchPrices = task(
  "fetch-prices",
  { retries: 3, retryDelay: "10 seconds", timeout: "30 seconds", maxConcurrency: 5 },
  async (coin: string, api: string): Promise<Quote> => ({
    coin,
    prices: await coinPrices(coin, resolveAuto(api, FIXTURE, COINGECKO)),
  }),
);

/** The dip of one coin's prices: how far the last price is below the highest one. */
export function measure({ coin, prices }: Quote, threshold: number): Dip {
  const last = prices.at(-1)?.[1] ?? 0;
  const high = prices.reduce((max, [, p]) => Math.max(max, p), 0);
  const percent = high > 0 ? Math.round(((high - last) / high) * 10_000) / 100 : 0;
  return { coin, last, high, percent, dipped: percent > threshold };
}

export const measureDip = task("measure-dip", measure);

export const anyDip = task("any-dip", (dips: Dip[]) => dips.some((d) => d.dipped));

/** The Slack message for the coins that dipped. */
export function dipMessage(dips: readonly Dip[]): string {
  const lines = dips
    .filter((d) => d.dipped)
    .map((d) => `• ${d.coin} is at $${d.last}, ${d.percent}% below its 24-hour high of $${d.high}`);
  return `:chart_with_downwards_trend: There has been a dip:\n${lines.join("\n")}`;
}

/** Posts the dips to Slack; logs the message instead when the webhook is empty (unset locally). */
export const postDips = task(
  "post-dips",
  { retries: 2, retryDelay: "5 seconds" },
  async (webhook: string, dips: Dip[]) => {
    const text = dipMessage(dips);
    return postToWebhook(webhook, text);
  },
);

export const cryptoDipMany = flow(
  "crypto-dip-many",
  {
    params: z.object({
      coins: z.array(z.string().min(1)).min(1).default(["BTC", "ETH", "DOGE"]),
      threshold: z.number().positive().default(10),
      api: z.union([z.enum([AUTO, FIXTURE]), z.url()]).default(AUTO),
    }),
    schedules: [rate("15 minutes", { coins: ["BTC", "ETH", "DOGE"] })],
    notify: [slack(secret("slack-webhook"), { on: ["FAILED", "TIMED_OUT"] })],
    description:
      "Posts to Slack when any of `coins` dips more than `threshold` percent below its 24-hour high.",
  },
  ({ coins, threshold, api }) => {
    // Each quote carries its coin: a chained `.map` iterates one list (depth-first, one Map state).
    const quotes = fetchPrices.map(coins, unmapped(api));
    const dips = measureDip.map(quotes, unmapped(threshold));
    when(anyDip(dips), () => postDips(secret("slack-webhook"), dips));
    return dips;
  },
);
