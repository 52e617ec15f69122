/**
 * The crypto dip tracker over many coins (the mapped variant of `flows/crypto-dip.ts`): fetch each
 * coin's prices of the last 24 hours in a Map (with retries), measure each coin's dip below its
 * high, and post one Slack message listing the coins that dipped more than `threshold` percent.
 *
 * Run it with `npx stepflow run flows/crypto-dip-many.ts --param 'coins=["BTC","ETH"]'` (it calls
 * the CoinGecko API; `--param api=<url>` points it at another server with the same API).
 * Slack: the webhook is the secret `slack-webhook`; when it is empty (unset locally), `post-dips`
 * logs the message instead of posting it.
 */
import { flow, NonRetriableError, rate, secret, slack, task, unmapped, when } from "stepflow";
import { z } from "zod";
import { postToWebhook } from "./lib/slack.ts";

/** A price point: [epoch milliseconds, price in USD], as CoinGecko's `market_chart` returns them. */
export type Price = [number, number];

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

const COINGECKO = "https://api.coingecko.com/api/v3";
const COINGECKO_IDS: Readonly<Record<string, string>> = {
  BTC: "bitcoin",
  ETH: "ethereum",
  DOGE: "dogecoin",
  SOL: "solana",
  ADA: "cardano",
};

/** Prices of `coin` over the last 24 hours from a CoinGecko-compatible API at `api`. */
export const fetchPrices = task(
  "fetch-prices",
  { retries: 3, retryDelay: "10 seconds", timeout: "30 seconds", maxConcurrency: 5 },
  async (coin: string, api: string): Promise<Quote> => {
    const id = COINGECKO_IDS[coin] ?? coin.toLowerCase();
    const url = `${api}/coins/${encodeURIComponent(id)}/market_chart?vs_currency=usd&days=1`;
    const response = await fetch(url, { headers: { accept: "application/json" } });
    // A 4xx will not get better on retry; 429 (rate limited) and 5xx may.
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      throw new NonRetriableError(
        `\`${url}\` answered ${response.status} for coin \`${coin}\`; check the symbol`,
      );
    }
    if (!response.ok)
      throw new Error(`\`${url}\` answered ${response.status} for coin \`${coin}\`; retrying`);
    return { coin, prices: ((await response.json()) as { prices: Price[] }).prices };
  },
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
      api: z.url().default(COINGECKO),
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
